//! Demo recruitment: a case for every applicant, activist, candidate and
//! probationary member of the demo province, with the steps a real branch
//! would have recorded by today (dated by the statutory timers, some talks
//! and discussions overdue, some approvals waiting), and each unit's plan.

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use xianfeng_core::member::MemberStatus;
use xianfeng_core::recruitment::{
    Action, CaseState, Event, Level, Needs, Outcome, RecruitmentRules, StepData, Votes, check, step,
};
use xianfeng_core::states::sql_in;
use xianfeng_store::recruitment::{NewCase, insert_bulk};
use xianfeng_store::{Store, StoreError, q};

#[derive(Debug, Clone, Default)]
pub struct RecruitmentSummary {
    pub cases: usize,
    pub events: usize,
    pub plans: usize,
    /// People whose generated steps did not reach their status (left without a case).
    pub skipped: usize,
}

const SECRETARIES: [&str; 6] = ["王建国", "李红梅", "张志强", "刘晓燕", "陈明", "杨丽"];
const MENTORS: [&str; 8] = ["赵刚", "孙丽", "周涛", "吴敏", "郑华", "冯娟", "何平", "罗静"];

/// Builds events for one person, in order, stopping at `today`.
struct Builder<'a> {
    rng: &'a mut ChaCha8Rng,
    today: NaiveDate,
    rules: &'a RecruitmentRules,
    st: CaseState,
    events: Vec<Event>,
    last: NaiveDate,
}

impl Builder<'_> {
    /// Adds step `n` on `on` (clamped to the last date) if that is not after today.
    fn push(&mut self, n: u8, action: Action, on: NaiveDate) -> bool {
        let on = on.max(self.last);
        if on > self.today {
            return false;
        }
        let def = step(n).expect("step");
        let mut data = StepData {
            responsible: SECRETARIES[self.rng.gen_range(0..SECRETARIES.len())].into(),
            ..Default::default()
        };
        if action != Action::Approve {
            match def.needs {
                Needs::Mentors => data.people = MENTORS[self.rng.gen_range(0..MENTORS.len())].into(),
                Needs::Sponsors => {
                    let a = self.rng.gen_range(0..MENTORS.len());
                    data.people = format!("{}、{}", MENTORS[a], MENTORS[(a + 3) % MENTORS.len()]);
                }
                Needs::Hours => data.hours = Some(self.rng.gen_range(24..=40)),
                Needs::Notice => {
                    data.notice_from = Some(on - Days::new(7));
                    data.notice_to = Some(on - Days::new(1));
                }
                Needs::Votes => {
                    let entitled = self.rng.gen_range(7..=35);
                    let present = entitled - self.rng.gen_range(0..=entitled / 5);
                    let against = u32::from(self.rng.gen_bool(0.1));
                    data.votes = Some(Votes { entitled, present, for_: present - against, against, abstain: 0 });
                }
                Needs::Outcome | Needs::Nothing => {}
            }
        } else if n == 24 {
            data.outcome = Some(Outcome::Full);
        }
        let e = Event { step: n, action, on, data };
        let level = if def.by_higher || action == Action::Approve { Level::Higher } else { Level::Branch };
        if check(&self.st, self.rules, &e, level, self.today).is_err() {
            return false;
        }
        self.st.apply(&e, self.rules);
        self.events.push(e);
        self.last = on;
        true
    }

    fn days(&mut self, lo: u64, hi: u64) -> Days {
        Days::new(self.rng.gen_range(lo..=hi))
    }

    /// Steps `from..=to` each a few days after the previous, submissions approved a few days later.
    fn run(&mut self, from: u8, to: u8, gap: (u64, u64)) -> bool {
        for n in from..=to {
            let def = step(n).expect("step");
            let on = self.last + self.days(gap.0, gap.1);
            if def.approval {
                if !self.push(n, Action::Submit, on) {
                    return false;
                }
                let at = self.last + self.days(3, 12);
                if !self.push(n, Action::Approve, at) {
                    return false;
                }
            } else if !self.push(n, Action::Record, on) {
                return false;
            }
        }
        true
    }
}

fn months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(d)
}

pub async fn generate(store: &Store, seed: u64, today: NaiveDate) -> Result<RecruitmentSummary, StoreError> {
    #[derive(sqlx::FromRow)]
    struct P {
        committee_id: i64,
        id: i64,
        org_id: i64,
        birth_date: NaiveDate,
        join_date: Option<NaiveDate>,
        status: String,
    }
    let people: Vec<P> = store
        .db
        .r()
        .fetch_all(q!(format!(
            "SELECT committee_id, id, org_id, birth_date, join_date, status FROM members \
             WHERE status IN {recruits} ORDER BY committee_id, id",
            recruits = sql_in(&[
                MemberStatus::Applicant,
                MemberStatus::Activist,
                MemberStatus::Candidate,
                MemberStatus::Probationary
            ])
        )))
        .await?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6661_7a68);
    let rule_set = store.rules().await?;
    let rules: RecruitmentRules = rule_set.get(today);
    let mut cases = Vec::with_capacity(people.len());
    let mut skipped = 0;
    for p in &people {
        let Some(status) = MemberStatus::parse(&p.status) else { continue };
        let mut b = Builder {
            rng: &mut rng,
            today,
            rules: &rules,
            st: CaseState::new(p.birth_date),
            events: Vec::new(),
            last: NaiveDate::MIN,
        };
        let adult = months(p.birth_date, 18 * 12);
        match status {
            MemberStatus::Applicant => {
                let applied = (today - b.days(5, 170)).max(adult);
                b.push(1, Action::Record, applied);
                // Most talks within the month; some are late or still due.
                if b.rng.gen_bool(0.85) {
                    let talk = applied + b.days(4, 27);
                    b.push(2, Action::Record, talk);
                }
            }
            MemberStatus::Activist => {
                let activist = today - b.days(10, 560);
                let applied = (months(activist, 0).checked_sub_months(Months::new(6)).unwrap_or(activist)
                    - b.days(0, 150))
                .max(adult);
                b.push(1, Action::Record, applied);
                let talk = applied + b.days(4, 27);
                b.push(2, Action::Record, talk);
                let on = months(applied, 6).max(activist);
                b.push(3, Action::Record, on);
                b.run(4, 5, (2, 12));
                if (today - b.last).num_days() > 190 {
                    let review = b.last + b.days(170, 190);
                    b.push(6, Action::Record, review);
                }
            }
            MemberStatus::Candidate | MemberStatus::Probationary => {
                // Work back from the candidate date (or the branch vote, for the probationary).
                let (candidate, vote) = match (status, p.join_date) {
                    (MemberStatus::Probationary, Some(j)) => (j - b.days(45, 120), Some(j)),
                    _ => (today - b.days(5, 300), None),
                };
                let activist = candidate.checked_sub_months(Months::new(12)).unwrap_or(candidate) - b.days(0, 120);
                let applied =
                    (activist.checked_sub_months(Months::new(6)).unwrap_or(activist) - b.days(0, 120)).max(adult);
                b.push(1, Action::Record, applied);
                let talk = applied + b.days(4, 27);
                b.push(2, Action::Record, talk);
                let on = months(applied, 6).max(activist);
                b.push(3, Action::Record, on);
                b.run(4, 5, (2, 12));
                let review = b.last + b.days(150, 200);
                b.push(6, Action::Record, review.min(candidate));
                let on = b.events.get(2).map(|e| months(e.on, 12)).unwrap_or(candidate).max(candidate);
                b.push(7, Action::Record, on);
                match vote {
                    None => {
                        // Candidates get as far as the days since allow, never past the submission for approval.
                        if b.run(8, 16, (3, 20)) {
                            let at = b.last + b.days(2, 10);
                            b.push(17, Action::Submit, at);
                        }
                    }
                    Some(v) => {
                        let mut ok = b.run(8, 14, (1, 4));
                        let free = (v - b.last).num_days();
                        ok &= free >= 0;
                        if ok && b.push(15, Action::Record, v) && b.run(16, 17, (1, 4)) {
                            b.run(18, 21, (2, 20));
                        }
                    }
                }
            }
            _ => continue,
        }
        // A case whose steps would not bring the person to their recorded status is left out.
        if b.events.is_empty() || b.st.person_status() != status {
            skipped += 1;
            continue;
        }
        cases.push(NewCase {
            committee_id: p.committee_id,
            member_id: p.id,
            org_id: p.org_id,
            birth: p.birth_date,
            events: b.events,
        });
    }
    let mut tx = store.db.begin().await?;
    let mut summary = RecruitmentSummary { cases: cases.len(), skipped, ..Default::default() };
    summary.events = insert_bulk(&mut tx, &rule_set, "demo", &cases).await?;
    // Each unit's plan for last year and this year: about its candidates' number.
    let units: Vec<(i64, i64)> = tx
        .c()
        .fetch_all::<(i64, i64)>(q!(
            "SELECT c.committee_id, COUNT(*) AS n FROM recruitment_cases c GROUP BY c.committee_id"
        ))
        .await?;
    let mut rows = Vec::new();
    for (unit, n) in units {
        for year in [today.year() - 1, today.year()] {
            let planned = (n / 4 + rng.gen_range(0..=2)).max(1);
            rows.push(vec![
                unit.into(),
                i64::from(year).into(),
                planned.into(),
                "".into(),
                "demo".into(),
                xianfeng_core::text::now_ms().into(),
            ]);
        }
    }
    summary.plans = rows.len();
    xianfeng_store::bulk::insert_rows(
        &mut tx,
        "recruitment_plans",
        "committee_id, year, planned, note, set_by, set_at",
        rows,
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}
