//! Keys of member-scoped rows. Every such row lives in one committee's
//! partition (`committee_id`, the Citus distribution column) and is named by
//! the pair (committee, id) — never by a loose id, which would make the
//! database ask every partition, and never by a pair of loose `i64`s, which
//! are easy to swap or to pair with another table's id. `Key<T>` is typed by
//! what it names: the key of an honor is not the key of an application.

use std::fmt;
use std::marker::PhantomData;

/// The key of a row of kind `T` (one of the marker types in [`kinds`]).
pub struct Key<T> {
    pub committee_id: i64,
    pub id: i64,
    kind: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    pub const fn new(committee_id: i64, id: i64) -> Key<T> {
        Key { committee_id, id, kind: PhantomData }
    }
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Key<T> {}
impl<T> PartialEq for Key<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.committee_id, self.id) == (other.committee_id, other.id)
    }
}
impl<T> Eq for Key<T> {}
impl<T> std::hash::Hash for Key<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.committee_id, self.id).hash(state);
    }
}
impl<T> fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Key<{}>({}, {})",
            std::any::type_name::<T>().rsplit("::").next().unwrap_or("?"),
            self.committee_id,
            self.id
        )
    }
}
/// `committee_id/id`, as the key appears in a URL.
impl<T> fmt::Display for Key<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.committee_id, self.id)
    }
}
impl<T> From<(i64, i64)> for Key<T> {
    /// From a URL's `/{committee_id}/{id}`.
    fn from((committee_id, id): (i64, i64)) -> Key<T> {
        Key::new(committee_id, id)
    }
}

/// What a key names (marker types, never values).
pub mod kinds {
    /// A member (党员).
    pub enum Member {}
    /// A meeting (组织生活).
    pub enum Meeting {}
    /// A campaign application (评选申报).
    pub enum Application {}
    /// An objection in a campaign's publicity (公示异议).
    pub enum Objection {}
    /// An honor in the register (荣誉).
    pub enum Honor {}
    /// A discipline case (纪检案件).
    pub enum DisciplineCase {}
    /// A secretary's report in a review (书记述职).
    pub enum Report {}
    /// An organizational transfer (组织关系转接).
    pub enum Transfer {}
    /// A recruitment case (发展党员档案).
    pub enum RecruitmentCase {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_its_pair_and_shows_as_a_path() {
        let k: Key<kinds::Honor> = (3, 41).into();
        assert_eq!((k.committee_id, k.id), (3, 41));
        assert_eq!(k.to_string(), "3/41");
        assert_eq!(format!("{k:?}"), "Key<Honor>(3, 41)");
        assert_eq!(k, Key::new(3, 41));
        assert_ne!(k, Key::new(41, 3), "the committee and the id do not swap");
    }
}
