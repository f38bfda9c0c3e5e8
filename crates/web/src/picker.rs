//! Searchable pickers that work without JavaScript.
//!
//! A picker stands where a form would otherwise ask for a typed id or offer a
//! select of thousands of options. When the choices are few (at most
//! [`SELECT_MAX`]) it is a plain select of all of them. Otherwise it is a
//! search box named `{field}_q` with a 查找 button: the form comes back with
//! every entry kept and at most [`SHOWN`] matches as radio buttons named
//! `field`, saying how many matched in all and asking for more characters
//! when not all are shown. A form that arrives with search text searches
//! instead of saving, so pressing Enter in the box never saves a half-made
//! choice (see [`searching`]).

use xianfeng_core::auth::{MemberScope, OrgScope, SecurityAdmin};
use xianfeng_core::org::OrgKind;
use xianfeng_store::member::{self as store_member, MemberFilter};
use xianfeng_store::org::{self as store_org, OrgPick};
use xianfeng_store::{Page, Store, StoreError};

use crate::error::Result;

/// Matches shown at once after a search.
pub const SHOWN: i64 = 20;
/// Up to this many choices, a picker is a plain select of all of them.
pub const SELECT_MAX: i64 = 50;

/// One choice: the value the form sends and what people read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub value: String,
    pub label: String,
}

impl Pick {
    /// An org by its name, after its unit's unless all choices lie in one unit.
    fn org(o: &OrgPick, one_unit: bool) -> Pick {
        Pick { value: o.id.to_string(), label: if one_unit { o.name.clone() } else { o.label() } }
    }
    /// A member by name, branch (and unit unless all lie in one) and standing.
    fn member(m: &store_member::MemberRow, one_unit: bool) -> Pick {
        let place = if one_unit || m.unit_name.is_empty() || m.unit_name == m.org_name {
            m.org_name.clone()
        } else {
            format!("{} — {}", m.unit_name, m.org_name)
        };
        Pick { value: m.id.to_string(), label: format!("{}（{}，{}）", m.name, place, m.status_label()) }
    }
}

/// A picker as the `picker` macro of macros.html renders it.
#[derive(Debug, Clone)]
pub struct Picker {
    /// The form field that carries the chosen value.
    pub field: &'static str,
    pub label: &'static str,
    /// What is being chosen, in messages: 党支部, 党员, 组织, 账号.
    pub noun: &'static str,
    pub placeholder: &'static str,
    pub required: bool,
    pub hint: &'static str,
    /// The current choice.
    pub chosen: Option<Pick>,
    /// The text of the search just made, if any.
    pub searched: Option<String>,
    /// Its matches (at most [`SHOWN`]) and how many matched in all.
    pub results: Vec<Pick>,
    pub total: i64,
    /// Every choice, when there are few: the picker is then a select.
    pub all: Option<Vec<Pick>>,
}

impl Picker {
    pub fn new(field: &'static str, label: &'static str, noun: &'static str) -> Picker {
        Picker {
            field,
            label,
            noun,
            placeholder: "输入名称中的几个字",
            required: false,
            hint: "",
            chosen: None,
            searched: None,
            results: Vec::new(),
            total: 0,
            all: None,
        }
    }
    pub fn required(mut self) -> Picker {
        self.required = true;
        self
    }
    pub fn hint(mut self, hint: &'static str) -> Picker {
        self.hint = hint;
        self
    }
    pub fn placeholder(mut self, placeholder: &'static str) -> Picker {
        self.placeholder = placeholder;
        self
    }
    /// The name of the search box.
    pub fn query_name(&self) -> String {
        format!("{}_q", self.field)
    }
    /// The chosen value, or "".
    pub fn value(&self) -> &str {
        self.chosen.as_ref().map(|c| c.value.as_str()).unwrap_or("")
    }
    pub fn is_chosen(&self, p: &Pick) -> bool {
        self.chosen.as_ref().is_some_and(|c| c.value == p.value)
    }
    /// Matches not shown (the search should be narrowed).
    pub fn more(&self) -> i64 {
        (self.total - self.results.len() as i64).max(0)
    }
    /// Whether the chosen value goes in a hidden field (no select, no radios
    /// that carry it).
    pub fn carries_hidden(&self) -> bool {
        self.all.is_none() && self.results.is_empty() && self.chosen.is_some()
    }
    /// Shows the matches of a search. A single match is chosen at once; the
    /// earlier choice stays as the first radio unless it is among them.
    fn found(mut self, text: &str, page: Page<Pick>) -> Picker {
        self.searched = Some(text.to_string());
        self.total = page.total;
        if page.total == 1 && page.items.len() == 1 {
            self.chosen = page.items.into_iter().next();
            return self;
        }
        let mut results = page.items;
        if let Some(c) = &self.chosen
            && !results.iter().any(|r| r.value == c.value)
        {
            results.insert(0, c.clone());
        }
        self.results = results;
        self
    }
}

/// The search text of a form's pickers: the first non-empty one names the
/// picker the person is searching with, and the form must not be saved.
pub fn searching(texts: &[&str]) -> bool {
    texts.iter().any(|t| !t.trim().is_empty())
}

fn picks<T>(page: Page<T>) -> Page<Pick>
where
    for<'a> Pick: From<&'a T>,
{
    picks_with(page, |t| Pick::from(t))
}

fn picks_with<T>(page: Page<T>, f: impl Fn(&T) -> Pick) -> Page<Pick> {
    Page { items: page.items.iter().map(f).collect(), total: page.total, page: page.page, per_page: page.per_page }
}

/// Where the orgs a picker offers come from.
pub enum OrgSource<'a> {
    /// Orgs inside the caller's scope.
    Scope(&'a OrgScope),
    /// The whole tree, names only, for binding a role (security administrator).
    Binding(&'a SecurityAdmin),
    /// Active branches of the whole province, for where a member transfers to.
    Destinations,
}

impl OrgSource<'_> {
    /// Whether every org it offers lies in one unit (its names need no unit).
    fn one_unit(&self) -> bool {
        matches!(self, OrgSource::Scope(scope) if scope.committee_id().is_some())
    }
    async fn page(
        &self,
        store: &Store,
        kinds: &[OrgKind],
        text: &str,
        per_page: i64,
        lookup: Lookup,
    ) -> Result<Page<OrgPick>> {
        Ok(match (self, lookup) {
            // Whether a scope holds more than a select shows, without counting them all.
            (OrgSource::Scope(scope), Lookup::Few) => store_org::pick_few(store, scope, kinds, per_page).await?,
            // The chosen org by its id alone (a search by number also matches names).
            (OrgSource::Scope(scope), Lookup::Chosen) => match text.parse::<i64>() {
                Ok(id) => store_org::pick_id(store, scope, kinds, id).await?,
                Err(_) => Page { items: Vec::new(), total: 0, page: 1, per_page },
            },
            (OrgSource::Scope(scope), Lookup::Search) => {
                store_org::pick(store, scope, kinds, text, 1, per_page).await?
            }
            (OrgSource::Binding(admin), _) => {
                store_org::pick_for_binding(store, admin, kinds, text, 1, per_page).await?
            }
            (OrgSource::Destinations, _) => {
                xianfeng_store::transfer::destination_picks(store, text, 1, per_page).await?
            }
        })
    }
}

/// What a picker asks its lookup for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// The chosen value by its number (a lookup may match the id alone).
    Chosen,
    /// What the person typed: names and exact numbers, with the full count.
    Search,
    /// Every choice when fewer than asked; the count may stop there (a
    /// total of `at_most` then means "at least").
    Few,
}

/// Fills a picker from a lookup `find(text, at_most, lookup)` that matches
/// names and exact numbers: the chosen value (unless already set) by its
/// number, the matches of `text` when the person searched, or every choice
/// when there are few.
async fn fill<F, Fut>(mut p: Picker, value: &str, text: &str, find: F) -> Result<Picker>
where
    F: Fn(String, i64, Lookup) -> Fut,
    Fut: std::future::Future<Output = Result<Page<Pick>>>,
{
    let value = value.trim();
    if p.chosen.is_none() && crate::form::opt_num::<i64>(value).is_some() {
        let id = crate::form::opt_num::<i64>(value).unwrap_or_default().to_string();
        p.chosen = find(id.clone(), SHOWN, Lookup::Chosen).await?.items.into_iter().find(|o| o.value == id);
        if p.chosen.is_none() {
            // Out of reach or gone: kept as typed, so the refusal on saving names it.
            p.chosen = Some(Pick { value: value.to_string(), label: format!("编号 {value}") });
        }
    }
    if searching(&[text]) {
        let page = find(text.trim().to_string(), SHOWN, Lookup::Search).await?;
        return Ok(p.found(text.trim(), page));
    }
    let few = find(String::new(), SELECT_MAX + 1, Lookup::Few).await?;
    if few.total <= SELECT_MAX {
        // A required choice with one answer is made already (a secretary's own branch).
        if p.required && p.chosen.is_none() && few.items.len() == 1 {
            p.chosen = few.items.first().cloned();
        }
        p.all = Some(few.items);
    }
    Ok(p)
}

/// The 单位或党支部 filter of a list that spans branches: the scope's units,
/// party committees, general branches and branches, chosen by name. While
/// the person is still searching for one (`text` given), the list stays as
/// it was: `narrowed` is cleared.
pub async fn list_filter(
    store: &Store,
    scope: &OrgScope,
    label: &'static str,
    value: &str,
    text: &str,
    narrowed: &mut Option<i64>,
) -> Result<Picker> {
    let kinds = [OrgKind::Unit, OrgKind::PartyCommittee, OrgKind::GeneralBranch, OrgKind::Branch];
    let p = Picker::new("org_id", label, "党组织").placeholder("单位或组织名称中的几个字");
    if searching(&[text]) {
        *narrowed = None;
    }
    orgs(store, OrgSource::Scope(scope), &kinds, p, value, text).await
}

/// Fills an org picker of `kinds` from `source`.
pub async fn orgs(
    store: &Store,
    source: OrgSource<'_>,
    kinds: &[OrgKind],
    p: Picker,
    value: &str,
    text: &str,
) -> Result<Picker> {
    let source = &source;
    let one_unit = source.one_unit();
    fill(p, value, text, |t, n, lookup| async move {
        Ok(picks_with(source.page(store, kinds, &t, n, lookup).await?, |o| Pick::org(o, one_unit)))
    })
    .await
}

/// Fills a member picker over the members in scope (those still on a roll, or
/// those with `status` when given).
pub async fn members(
    store: &Store,
    scope: &MemberScope,
    status: &str,
    p: Picker,
    value: &str,
    text: &str,
) -> Result<Picker> {
    let among = MemberFilter { status: status.to_string(), ..Default::default() };
    members_among(store, scope, &among, p, value, text).await
}

/// Fills a member picker over the members in scope that `among` lets
/// through (its name is what the person types).
pub async fn members_among(
    store: &Store,
    scope: &MemberScope,
    among: &MemberFilter,
    mut p: Picker,
    value: &str,
    text: &str,
) -> Result<Picker> {
    if let Some(id) = crate::form::opt_num::<i64>(value) {
        p.chosen = match store_member::get(store, scope, id).await {
            Ok(m) => Some(Pick { value: m.id.to_string(), label: format!("{}（{}）", m.name, m.org_name) }),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
    }
    let one_unit = xianfeng_core::auth::ReadScope::shard(scope).is_some();
    fill(p, value, text, |t, n, _| async move {
        let f = MemberFilter { name: t, ..among.clone() };
        Ok(picks_with(store_member::list(store, scope, &f, 1, n).await?, |m| Pick::member(m, one_unit)))
    })
    .await
}

/// Fills the picker of members a role is bound to (security administrator:
/// names, branches and units only).
pub async fn binding_members(
    store: &Store,
    admin: &SecurityAdmin,
    p: Picker,
    value: &str,
    text: &str,
) -> Result<Picker> {
    fill(
        p,
        value,
        text,
        |t, n, _| async move { Ok(picks(store_member::pick_for_binding(store, admin, &t, 1, n).await?)) },
    )
    .await
}

/// Fills an account picker (system or security administrator).
pub async fn users(
    store: &Store,
    reader: &impl xianfeng_core::auth::ReadsAccounts,
    p: Picker,
    value: &str,
    text: &str,
) -> Result<Picker> {
    fill(
        p,
        value,
        text,
        |t, n, _| async move { Ok(picks(xianfeng_store::auth::users(store, reader, &t, 1, n).await?)) },
    )
    .await
}

impl From<&store_member::MemberPick> for Pick {
    fn from(m: &store_member::MemberPick) -> Pick {
        let place =
            if m.unit_name == m.org_name { m.org_name.clone() } else { format!("{} — {}", m.unit_name, m.org_name) };
        Pick { value: m.id.to_string(), label: format!("{}（{}，{}）", m.name, place, m.status.label()) }
    }
}

impl From<&(xianfeng_store::auth::UserRow, Vec<xianfeng_store::auth::RoleRow>)> for Pick {
    fn from((u, _): &(xianfeng_store::auth::UserRow, Vec<xianfeng_store::auth::RoleRow>)) -> Pick {
        Pick { value: u.id.to_string(), label: format!("{}（{}）", u.display_name, u.username) }
    }
}
