//! Generating people: names, ID numbers, phones, places, careers (tables in
//! xianfeng/data/).

use super::*;

/// Picks from `(item, weight)` pairs.
pub(crate) fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

pub(crate) fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// 1 → 一, 12 → 十二, 105 → 一百零五 (up to 999).
pub(crate) fn cn_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let ones = if n.is_multiple_of(10) { "" } else { D[n % 10] };
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{ones}"),
        20..=99 => format!("{}十{ones}", D[n / 10]),
        _ => {
            let rest = n % 100;
            let tail = match rest {
                0 => String::new(),
                1..=9 => format!("零{}", D[rest]),
                10..=19 => format!("一{}", cn_number(rest)),
                _ => cn_number(rest),
            };
            format!("{}百{tail}", D[(n / 100) % 10])
        }
    }
}

/// Where a person works: serving staff of a body with a profile, or retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Serving(Profile),
    Retired,
}

/// The random source and the uniqueness of ID and phone numbers.
pub(crate) struct Gen {
    pub(crate) rng: ChaCha8Rng,
    pub(crate) today: NaiveDate,
    pub(crate) ids: HashSet<String>,
    pub(crate) phones: HashSet<u64>,
}

impl Gen {
    pub(crate) fn new(seed: u64, today: NaiveDate) -> Gen {
        Gen { rng: ChaCha8Rng::seed_from_u64(seed), today, ids: HashSet::new(), phones: HashSet::new() }
    }

    pub(crate) fn days_ago(&self, days: u64) -> NaiveDate {
        self.today - Days::new(days)
    }

    /// Members of a serving branch: mostly 7–30, some 3–6, a few 31–60, rarely 2.
    pub(crate) fn branch_size(&mut self) -> usize {
        let r: f64 = self.rng.r#gen();
        let range = if r < 0.002 {
            2..=2
        } else if r < 0.27 {
            3..=6
        } else if r < 0.77 {
            7..=12
        } else if r < 0.915 {
            13..=20
        } else if r < 0.97 {
            21..=30
        } else if r < 0.997 {
            31..=50
        } else {
            51..=60
        };
        self.rng.gen_range(range)
    }

    /// A person: a valid record (org and group left 0/None) and a seniority
    /// score (rank, then age) for choosing secretaries.
    pub(crate) fn person(&mut self, kind: Kind, status: MemberStatus) -> (ValidMember, i64) {
        let young = matches!(
            status,
            MemberStatus::Probationary | MemberStatus::Applicant | MemberStatus::Activist | MemberStatus::Candidate
        );
        let age: u32 = match kind {
            Kind::Retired if self.rng.gen_bool(0.6) => self.rng.gen_range(60..=72),
            Kind::Retired => self.rng.gen_range(73..=85),
            Kind::Serving(_) if young => self.rng.gen_range(23..=35),
            Kind::Serving(_) => {
                let r: f64 = self.rng.r#gen();
                if r < 0.33 {
                    self.rng.gen_range(23..=34)
                } else if r < 0.70 {
                    self.rng.gen_range(35..=46)
                } else {
                    self.rng.gen_range(47..=59)
                }
            }
        };
        let male = self.rng.gen_bool(if kind == Kind::Retired { 0.62 } else { 0.575 });
        let birth = self.today.checked_sub_months(Months::new(12 * age)).expect("a date in range")
            - Days::new(self.rng.gen_range(0..364));

        let region = weighted(&mut self.rng, &DATA.regions);
        let id_card = loop {
            // The 17th digit is the sequence's last: odd for men, even for women.
            let seq = self.rng.gen_range(0..500u32) * 2 + u32::from(male);
            let n = idcard::compose(region, birth, seq);
            if self.ids.insert(n.clone()) {
                break n;
            }
        };
        let phone = loop {
            let p = pick(&mut self.rng, &DATA.phone_prefixes) * 100_000_000 + self.rng.gen_range(0..100_000_000u64);
            if self.phones.insert(p) {
                break p.to_string();
            }
        };
        let name = self.name(male);
        let ethnicity = weighted(&mut self.rng, &DATA.ethnicities).to_string();
        let (category, cadre_rank, position, rank_score) = self.career(kind, age);
        let education = self.education(kind, category, age).to_string();
        let native_place = self.native_place(region);
        let (district, community, street) = pick(&mut self.rng, &DATA.communities);
        let address = format!("贵阳市{district}{street}{}号", self.rng.gen_range(1..=320));
        let (join_date, full_date) = self.party_dates(kind, birth, status);
        let v = ValidMember {
            name,
            gender: if male { "男" } else { "女" }.to_string(),
            ethnicity,
            birth_date: birth,
            id_card,
            education,
            category: category.to_string(),
            phone,
            position,
            cadre_rank: cadre_rank.to_string(),
            native_place,
            address,
            community: format!("{district}{community}"),
            join_date,
            full_date,
            status,
            org_id: 0,
            group_id: None,
        };
        (v, rank_score * 100 + i64::from(age))
    }

    pub(crate) fn name(&mut self, male: bool) -> String {
        let surname = weighted(&mut self.rng, &DATA.surnames);
        let pool: &[&str] = if male { &DATA.male } else { &DATA.female };
        let mut name = surname.to_string();
        if surname.chars().count() == 2 || self.rng.gen_bool(0.3) {
            name.push_str(pick(&mut self.rng, pool));
        } else {
            let first =
                if self.rng.gen_bool(0.5) { pick(&mut self.rng, &DATA.neutral) } else { pick(&mut self.rng, pool) };
            name.push_str(first);
            name.push_str(pick(&mut self.rng, pool));
        }
        name
    }

    /// 人员类别, 职级, 岗位 and a rank score (厅级 4 … 科员 1).
    pub(crate) fn career(&mut self, kind: Kind, age: u32) -> (&'static str, &'static str, String, i64) {
        let profile = match kind {
            Kind::Retired => {
                let rank = weighted(&mut self.rng, &[("厅级", 4), ("处级", 48), ("科级", 36), ("科员", 12)]);
                return ("离退休人员", rank, "退休干部".to_string(), rank_score(rank));
            }
            Kind::Serving(p) => p,
        };
        let categories: &[(&str, u32)] = match profile {
            Profile::Admin => &[
                ("公务员", 78),
                ("参照公务员法管理人员", 6),
                ("事业单位管理人员", 7),
                ("专业技术人员", 6),
                ("工勤人员", 3),
            ],
            Profile::Police => &[("公务员", 92), ("事业单位管理人员", 3), ("专业技术人员", 3), ("工勤人员", 2)],
            Profile::MassOrg => {
                &[("参照公务员法管理人员", 82), ("事业单位管理人员", 8), ("专业技术人员", 6), ("工勤人员", 4)]
            }
            Profile::Institution => &[("事业单位管理人员", 45), ("专业技术人员", 45), ("工勤人员", 10)],
            Profile::Academic => {
                &[("专业技术人员", 62), ("事业单位管理人员", 30), ("参照公务员法管理人员", 4), ("工勤人员", 4)]
            }
        };
        let category = weighted(&mut self.rng, categories);
        let r: f64 = self.rng.r#gen();
        let (rank, positions): (&str, &[&str]) = match category {
            "公务员" | "参照公务员法管理人员" => {
                if age < 28 {
                    if r < 0.9 {
                        ("科员", &["一级科员", "二级科员"])
                    } else {
                        ("科级", &["四级主任科员"])
                    }
                } else if age < 35 {
                    if r < 0.3 {
                        ("科员", &["一级科员"])
                    } else if r < 0.9 {
                        ("科级", &["三级主任科员", "四级主任科员"])
                    } else {
                        ("处级", &["四级调研员", "副处长"])
                    }
                } else if age < 45 {
                    if r < 0.4 {
                        ("科级", &["一级主任科员", "二级主任科员"])
                    } else if r < 0.995 {
                        ("处级", &["副处长", "处长", "三级调研员", "四级调研员"])
                    } else {
                        ("厅级", &["二级巡视员"])
                    }
                } else if r < 0.2 {
                    ("科级", &["一级主任科员"])
                } else if r < 0.97 {
                    ("处级", &["处长", "副处长", "一级调研员", "二级调研员"])
                } else {
                    ("厅级", &["一级巡视员", "二级巡视员", "厅级领导干部"])
                }
            }
            "事业单位管理人员" => {
                if age < 32 {
                    ("科员", &["职员"])
                } else if age < 45 {
                    if r < 0.7 { ("科级", &["科长", "副科长"]) } else { ("科员", &["职员"]) }
                } else if r < 0.45 {
                    ("处级", &["主任", "副主任", "副院长"])
                } else if r < 0.9 {
                    ("科级", &["科长"])
                } else {
                    ("科员", &["职员"])
                }
            }
            "专业技术人员" => {
                let titles: &[&str] = if age < 30 {
                    &["助理工程师", "研究实习员", "助理馆员"]
                } else if age < 40 {
                    &["工程师", "助理研究员", "馆员", "讲师"]
                } else if age < 50 {
                    &["高级工程师", "副研究员", "副研究馆员", "副教授"]
                } else {
                    &["正高级工程师", "研究员", "研究馆员", "教授"]
                };
                ("无", titles)
            }
            _ => ("无", &["驾驶员", "技术工人", "后勤服务", "档案管理员"]),
        };
        let position = pick(&mut self.rng, positions).to_string();
        let score = if rank == "无" { if age >= 45 { 2 } else { 1 } } else { rank_score(rank) };
        (category, rank, position, score)
    }

    pub(crate) fn education(&mut self, kind: Kind, category: &str, age: u32) -> &'static str {
        let table: &[(&str, u32)] = if kind == Kind::Retired {
            &[("研究生（硕士）", 5), ("大学本科", 45), ("大学专科", 30), ("中等专科", 12), ("高中", 8)]
        } else if category == "工勤人员" {
            &[("大学本科", 25), ("大学专科", 45), ("中等专科", 20), ("高中", 10)]
        } else if kind == Kind::Serving(Profile::Academic) {
            &[("研究生（博士）", 25), ("研究生（硕士）", 45), ("大学本科", 28), ("大学专科", 2)]
        } else if age < 40 {
            &[("研究生（博士）", 4), ("研究生（硕士）", 40), ("大学本科", 52), ("大学专科", 4)]
        } else if age < 50 {
            &[("研究生（博士）", 3), ("研究生（硕士）", 25), ("大学本科", 62), ("大学专科", 9), ("中等专科", 1)]
        } else {
            &[
                ("研究生（博士）", 2),
                ("研究生（硕士）", 14),
                ("大学本科", 62),
                ("大学专科", 18),
                ("中等专科", 3),
                ("高中", 1),
            ]
        };
        weighted(&mut self.rng, table)
    }

    /// 籍贯: mostly the prefecture of the ID's region, some elsewhere in Guizhou or beyond.
    pub(crate) fn native_place(&mut self, region: u32) -> String {
        let r: f64 = self.rng.r#gen();
        let own = match region / 100 {
            5201 => "贵州贵阳",
            5202 => "贵州六盘水",
            5203 => "贵州遵义",
            5204 => "贵州安顺",
            5205 => "贵州毕节",
            5206 => "贵州铜仁",
            5223 => "贵州黔西南",
            5226 => "贵州黔东南",
            _ => "贵州黔南",
        };
        if r < 0.6 {
            own.to_string()
        } else if r < 0.9 {
            pick(
                &mut self.rng,
                &[
                    "贵州贵阳",
                    "贵州遵义",
                    "贵州安顺",
                    "贵州六盘水",
                    "贵州毕节",
                    "贵州铜仁",
                    "贵州黔东南",
                    "贵州黔南",
                    "贵州黔西南",
                ],
            )
            .to_string()
        } else {
            pick(&mut self.rng, &DATA.other_places).to_string()
        }
    }

    /// 入党日期 and 转正日期 for a status: joined after 18, full a year later;
    /// probationary members joined within the last year; the pipeline has neither.
    pub(crate) fn party_dates(
        &mut self,
        kind: Kind,
        birth: NaiveDate,
        status: MemberStatus,
    ) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match status {
            MemberStatus::Applicant | MemberStatus::Activist | MemberStatus::Candidate => (None, None),
            MemberStatus::Probationary => {
                let days = self.rng.gen_range(20..=350);
                (Some(self.days_ago(days)), None)
            }
            _ => {
                let join_age = match kind {
                    Kind::Retired => self.rng.gen_range(20..=38),
                    Kind::Serving(_) => {
                        let r: f64 = self.rng.r#gen();
                        if r < 0.6 {
                            self.rng.gen_range(19..=23)
                        } else if r < 0.9 {
                            self.rng.gen_range(24..=32)
                        } else {
                            self.rng.gen_range(33..=45)
                        }
                    }
                };
                let mut join = birth.checked_add_months(Months::new(12 * join_age)).expect("a date in range")
                    + Days::new(self.rng.gen_range(0..365));
                let latest = self.days_ago(420);
                if join > latest {
                    // Everyone serving is 23 or older: 420–800 days ago they were over 20.
                    join = latest - Days::new(self.rng.gen_range(0..380));
                }
                let full = join + Days::new(365 + self.rng.gen_range(0..45));
                (Some(join), Some(full.min(self.days_ago(1))))
            }
        }
    }

    /// Established, term start and term end of an org with a term: most
    /// current, about 5 % due within the reminder window, 3 % overdue.
    pub(crate) fn term(
        &mut self,
        kind: OrgKind,
        rules: &OrgRules,
    ) -> (Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>) {
        let Some(years) = kind.term_years(rules) else { return (None, None, None) };
        let months = Months::new(12 * years as u32);
        let due = rules.election_due_soon_days.max(1) as u64;
        let r: f64 = self.rng.r#gen();
        let target_end = if r < 0.03 {
            self.today - Days::new(self.rng.gen_range(1..=400))
        } else if r < 0.08 {
            self.today + Days::new(self.rng.gen_range(0..due))
        } else {
            self.today + Days::new(self.rng.gen_range(due + 1..(years as u64 * 365).max(due + 2)))
        };
        let start = target_end.checked_sub_months(months).expect("a date in range").min(self.today);
        let end = core_org::term_end(kind, start, rules);
        let earlier_terms = self.rng.gen_range(0..=6u32);
        let established =
            start.checked_sub_months(Months::new(12 * years as u32 * earlier_terms)).expect("a date in range");
        (Some(established), Some(start), end)
    }
}

pub(crate) fn rank_score(rank: &str) -> i64 {
    match rank {
        "厅级" => 4,
        "处级" => 3,
        "科级" => 2,
        _ => 1,
    }
}
