//! The demo province's data tables — units' sizes and kinds of staff, their
//! departments, divisions, names, places, communities — read from the text
//! files in `xianfeng/data/` (compiled into the binary, so the demo runs
//! air-gapped). Each file is tab-separated, one record per line, `#` starts a
//! comment; the order of lines is the order the generator draws from, so the
//! same seed gives the same province.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Every table, parsed once.
pub struct DemoData {
    /// unit → (members at scale 1.0, staff kind code)
    traits: HashMap<&'static str, (usize, &'static str)>,
    default_traits: (usize, &'static str),
    /// unit → (staff kind code, bodies)
    departments: HashMap<&'static str, (&'static str, Vec<&'static str>)>,
    pub offices: Vec<&'static str>,
    pub institutions: Vec<&'static str>,
    pub other_places: Vec<&'static str>,
    pub surnames: Vec<(&'static str, u32)>,
    pub ethnicities: Vec<(&'static str, u32)>,
    pub regions: Vec<(u32, u32)>,
    pub communities: Vec<(&'static str, &'static str, &'static str)>,
    pub phone_prefixes: Vec<u64>,
    pub male: Vec<&'static str>,
    pub female: Vec<&'static str>,
    pub neutral: Vec<&'static str>,
}

pub static DATA: LazyLock<DemoData> = LazyLock::new(|| parse().unwrap_or_else(|e| panic!("demo data: {e}")));

/// The records of a data file: non-empty, non-comment lines split at tabs.
fn records(name: &str, text: &'static str) -> impl Iterator<Item = (usize, Vec<&'static str>, String)> {
    let name = name.to_string();
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(move |(n, l)| (n, l.split('\t').map(str::trim).collect(), format!("{name}:{n}")))
}

fn number<T: std::str::FromStr>(s: &str, at: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("{at}: “{s}” is not a number"))
}

fn column(cols: &[&'static str], i: usize, at: &str) -> Result<&'static str, String> {
    cols.get(i).copied().filter(|c| !c.is_empty()).ok_or_else(|| format!("{at}: column {} is missing", i + 1))
}

fn weighted_pairs<T>(
    name: &str,
    text: &'static str,
    key: impl Fn(&'static str) -> Option<T>,
) -> Result<Vec<(T, u32)>, String> {
    records(name, text)
        .map(|(_, c, at)| {
            let k = column(&c, 0, &at)?;
            let w: u32 = number(column(&c, 1, &at)?, &at)?;
            Ok((key(k).ok_or_else(|| format!("{at}: “{k}” cannot be read"))?, w))
        })
        .collect()
}

fn lines(name: &str, text: &'static str) -> Result<Vec<&'static str>, String> {
    records(name, text).map(|(_, c, at)| column(&c, 0, &at)).collect()
}

const KINDS: [&str; 5] = ["admin", "police", "mass_org", "institution", "academic"];

fn kind(code: &'static str, at: &str) -> Result<&'static str, String> {
    KINDS.contains(&code).then_some(code).ok_or_else(|| format!("{at}: unknown staff kind “{code}”"))
}

fn parse() -> Result<DemoData, String> {
    let mut traits = HashMap::new();
    let mut default_traits = None;
    for (_, c, at) in records("unit_traits.txt", include_str!("../data/unit_traits.txt")) {
        let t = (number(column(&c, 1, &at)?, &at)?, kind(column(&c, 2, &at)?, &at)?);
        match column(&c, 0, &at)? {
            "*" => default_traits = Some(t),
            unit => {
                if traits.insert(unit, t).is_some() {
                    return Err(format!("{at}: {unit} is listed twice"));
                }
            }
        }
    }
    let mut departments = HashMap::new();
    for (_, c, at) in records("departments.txt", include_str!("../data/departments.txt")) {
        let bodies: Vec<&'static str> =
            column(&c, 2, &at)?.split('、').map(str::trim).filter(|b| !b.is_empty()).collect();
        departments.insert(column(&c, 0, &at)?, (kind(column(&c, 1, &at)?, &at)?, bodies));
    }
    let mut given: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
    for (_, c, at) in records("given_names.txt", include_str!("../data/given_names.txt")) {
        given.insert(column(&c, 0, &at)?, column(&c, 1, &at)?.split_whitespace().collect());
    }
    let mut names = |k: &str| given.remove(k).filter(|v| !v.is_empty()).ok_or(format!("given_names.txt: no {k} line"));
    let communities = records("communities.txt", include_str!("../data/communities.txt"))
        .map(|(_, c, at)| Ok((column(&c, 0, &at)?, column(&c, 1, &at)?, column(&c, 2, &at)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let phone_prefixes = records("phone_prefixes.txt", include_str!("../data/phone_prefixes.txt"))
        .flat_map(|(_, c, at)| {
            c.into_iter().flat_map(str::split_whitespace).map(move |p| number(p, &at)).collect::<Vec<_>>()
        })
        .collect::<Result<Vec<u64>, String>>()?;
    Ok(DemoData {
        traits,
        default_traits: default_traits.ok_or("unit_traits.txt: no “*” line for other units")?,
        departments,
        offices: lines("offices.txt", include_str!("../data/offices.txt"))?,
        institutions: lines("institutions.txt", include_str!("../data/institutions.txt"))?,
        other_places: lines("other_places.txt", include_str!("../data/other_places.txt"))?,
        surnames: weighted_pairs("surnames.txt", include_str!("../data/surnames.txt"), Some)?,
        ethnicities: weighted_pairs("ethnicities.txt", include_str!("../data/ethnicities.txt"), Some)?,
        regions: weighted_pairs("regions.txt", include_str!("../data/regions.txt"), |k| k.parse().ok())?,
        communities,
        phone_prefixes,
        male: names("male")?,
        female: names("female")?,
        neutral: names("neutral")?,
    })
}

impl DemoData {
    /// Party members of a unit at scale 1.0 (demo figures, not statistics).
    pub fn unit_size(&self, unit: &str) -> usize {
        self.traits.get(unit).unwrap_or(&self.default_traits).0
    }

    /// The code of the kind of staff a unit employs.
    pub fn staff_kind(&self, unit: &str) -> &'static str {
        self.traits.get(unit).unwrap_or(&self.default_traits).1
    }

    /// A unit's bureaus and subordinate bodies (empty for most) and their staff kind.
    pub fn departments(&self, unit: &str) -> (&[&'static str], &'static str) {
        match self.departments.get(unit) {
            Some((kind, bodies)) => (bodies.as_slice(), kind),
            None => (&[], "admin"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_reads_and_names_known_units() {
        let d = &*DATA;
        assert_eq!(d.unit_size("省公安厅"), 2300);
        assert_eq!(d.staff_kind("省公安厅"), "police");
        assert_eq!((d.unit_size("不存在的单位"), d.staff_kind("不存在的单位")), (240, "admin"));
        let (bodies, kind) = d.departments("省公安厅");
        assert!(bodies.contains(&"刑事侦查总队") && kind == "police");
        assert!(d.departments("省委办公厅").0.is_empty());
        for (len, what) in [
            (d.offices.len(), "offices"),
            (d.institutions.len(), "institutions"),
            (d.other_places.len(), "other places"),
            (d.surnames.len(), "surnames"),
            (d.ethnicities.len(), "ethnicities"),
            (d.regions.len(), "regions"),
            (d.communities.len(), "communities"),
            (d.phone_prefixes.len(), "phone prefixes"),
            (d.male.len(), "male names"),
            (d.female.len(), "female names"),
            (d.neutral.len(), "neutral names"),
        ] {
            assert!(len >= 5, "{what}: {len}");
        }
        assert!(d.surnames.iter().chain(&d.ethnicities).all(|(_, w)| *w > 0));
        assert!(d.regions.iter().all(|(code, _)| (520000..530000).contains(code)));
        assert!(d.phone_prefixes.iter().all(|p| (130..200).contains(p)));
        // Every unit with traits or departments is a unit of the province.
        let units = include_str!("../data/units.txt");
        for unit in d.traits.keys().chain(d.departments.keys()) {
            assert!(
                units.lines().any(|l| l.split('\t').nth(1).map(str::trim) == Some(unit)),
                "{unit} not in units.txt"
            );
        }
    }
}
