//! The roster: the province's units, their sizes and kinds of staff (data files).

use super::*;

/// A unit of the roster and its size at scale 1.0 (party members, retirees included).
#[derive(Debug, Clone)]
pub(crate) struct UnitDef {
    pub(crate) district: &'static str,
    pub(crate) name: &'static str,
    pub(crate) base: usize,
}

pub(crate) fn roster() -> Vec<UnitDef> {
    UNITS_TXT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(district, name)| UnitDef {
            district: district.trim(),
            name: name.trim(),
            base: DATA.unit_size(name.trim()),
        })
        .collect()
}

/// Which kinds of staff a body employs (drives 人员类别, 职级 and 岗位).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// Party and government departments: civil servants.
    Admin,
    /// Public security, prisons, drug rehabilitation: police (civil servants).
    Police,
    /// Mass organizations: staff managed like civil servants.
    MassOrg,
    /// Public institutions: managers and professionals.
    Institution,
    /// Academies and the party school: researchers and teachers.
    Academic,
}

impl Profile {
    /// The staff kind code of the data files.
    pub(crate) fn from_code(code: &str) -> Profile {
        match code {
            "police" => Profile::Police,
            "mass_org" => Profile::MassOrg,
            "institution" => Profile::Institution,
            "academic" => Profile::Academic,
            _ => Profile::Admin,
        }
    }
}

pub(crate) fn unit_profile(unit: &str) -> Profile {
    Profile::from_code(DATA.staff_kind(unit))
}

/// Bureaus, courts, institutes and subordinate bodies of the larger units,
/// each holding several branches, and the profile of their staff.
pub(crate) fn departments(unit: &str) -> (&'static [&'static str], Profile) {
    let (bodies, kind) = DATA.departments(unit);
    (bodies, Profile::from_code(kind))
}
