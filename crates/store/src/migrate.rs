//! One migration set for both engines. Each migration is portable SQL plus, where
//! the engines truly differ (triggers, BLOB/BYTEA), a short engine-specific part.
//!
//! One file (set) per area, in the order areas depend on each other. Released
//! migrations are frozen: each applied one is recorded with its checksum, and
//! a database whose recorded checksum differs from the program's stops
//! `migrate` and `serve` with a clear message. A change to the schema is a new
//! migration, never an edit (the test `released_migrations_are_frozen` holds
//! the released checksums).
//!
//! The history was rebased once (December 2026, before any deployment) from
//! sixteen incremental files into this per-area baseline; a database made by
//! the old history is refused with a message saying so.

use crate::db::{Backend, Db, Result};
use crate::{StoreError, q};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub common: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

impl Migration {
    /// SM3 over the name and every engine's text: a change to any part is a
    /// change on every engine.
    pub fn checksum(&self) -> String {
        let all = format!(
            "{}\n--common\n{}\n--sqlite\n{}\n--postgres\n{}",
            self.name, self.common, self.sqlite, self.postgres
        );
        xianfeng_core::crypto::sm3_hex(all.as_bytes())
    }

    /// The file name the migration is known by, e.g. `0006_meeting`.
    pub fn label(&self) -> String {
        format!("{:04}_{}", self.version, self.name)
    }
}

pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "org", common: include_str!("../migrations/0001_org.sql"), sqlite: "", postgres: "" },
    Migration {
        version: 2,
        name: "member",
        common: include_str!("../migrations/0002_member.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 3,
        name: "auth",
        common: include_str!("../migrations/0003_auth.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "audit",
        common: include_str!("../migrations/0004_audit.sql"),
        sqlite: include_str!("../migrations/0004_audit.sqlite.sql"),
        postgres: include_str!("../migrations/0004_audit.postgres.sql"),
    },
    Migration {
        version: 5,
        name: "rules",
        common: include_str!("../migrations/0005_rules.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "meeting",
        common: include_str!("../migrations/0006_meeting.sql"),
        sqlite: include_str!("../migrations/0006_meeting.sqlite.sql"),
        postgres: include_str!("../migrations/0006_meeting.postgres.sql"),
    },
    Migration {
        version: 7,
        name: "compliance",
        common: include_str!("../migrations/0007_compliance.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "first_agenda",
        common: include_str!("../migrations/0008_first_agenda.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 9,
        name: "dues",
        common: include_str!("../migrations/0009_dues.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 10,
        name: "recruitment",
        common: include_str!("../migrations/0010_recruitment.sql"),
        sqlite: include_str!("../migrations/0010_recruitment.sqlite.sql"),
        postgres: include_str!("../migrations/0010_recruitment.postgres.sql"),
    },
    Migration {
        version: 11,
        name: "transfer",
        common: include_str!("../migrations/0011_transfer.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "ranking",
        common: include_str!("../migrations/0012_ranking.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 13,
        name: "campaign",
        common: include_str!("../migrations/0013_campaign.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 14,
        name: "secretary_review",
        common: include_str!("../migrations/0014_secretary_review.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 15,
        name: "discipline",
        common: include_str!("../migrations/0015_discipline.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 16,
        name: "attachment",
        common: include_str!("../migrations/0016_attachment.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 17,
        name: "dues_tallies",
        common: include_str!("../migrations/0017_dues_tallies.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 18,
        name: "meeting_counts",
        common: include_str!("../migrations/0018_meeting_counts.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 19,
        name: "member_counts",
        common: include_str!("../migrations/0019_member_counts.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 20,
        name: "ranking_placings",
        common: include_str!("../migrations/0020_ranking_placings.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 21,
        name: "dues_arrears",
        common: include_str!("../migrations/0021_dues_arrears.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 22,
        name: "member_unit_counts",
        common: include_str!("../migrations/0022_member_unit_counts.sql"),
        sqlite: "",
        postgres: "",
    },
];

#[derive(sqlx::FromRow)]
struct Applied {
    version: i64,
    name: String,
    checksum: String,
}

/// Applies every migration not yet applied, each in its own transaction, after
/// checking that every applied one is the program's own, unchanged. Returns
/// the versions applied now.
#[tracing::instrument(skip_all)]
pub async fn migrate(db: &Db) -> Result<Vec<i64>> {
    db.run_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
         checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let applied: Vec<Applied> =
        db.r().fetch_all(q!("SELECT version, name, checksum FROM schema_migrations ORDER BY version")).await.map_err(
            |_| {
                StoreError::Config(
                    "此数据库由旧的迁移历史建立（2026年12月整理为按领域的基线之前的开发版本），不能继续使用。\
                     请备份后换用新的数据目录重新开始（演示数据可用 xianfeng demo 重新生成）"
                        .into(),
                )
            },
        )?;
    check_applied(&applied)?;
    let mut done = Vec::new();
    for m in MIGRATIONS {
        if applied.iter().any(|a| a.version == m.version) {
            continue;
        }
        let specific = match db.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let script = format!(
            "BEGIN;\n{}\n{}\nINSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ({}, '{}', '{}', {});\nCOMMIT;",
            common_text(m.common, db.backend()),
            specific,
            m.version,
            m.name,
            m.checksum(),
            xianfeng_core::text::now_ms()
        );
        db.run_script(&script).await?;
        done.push(m.version);
    }
    Ok(done)
}

/// A common migration text for one engine: one SQL text serves both, with
/// the byte type written `BYTEA` (PostgreSQL's name) becoming SQLite's `BLOB`.
fn common_text(common: &str, backend: Backend) -> std::borrow::Cow<'_, str> {
    match backend {
        Backend::Sqlite => common.replace("BYTEA", "BLOB").into(),
        Backend::Postgres => common.into(),
    }
}

/// Every applied migration must be one of the program's, unchanged.
fn check_applied(applied: &[Applied]) -> Result<()> {
    for a in applied {
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == a.version) else {
            return Err(StoreError::Config(format!(
                "数据库已应用迁移 {:04}_{}，本程序中没有它：数据库来自更新的版本，请换用对应版本的程序",
                a.version, a.name
            )));
        };
        if m.name != a.name || m.checksum() != a.checksum {
            return Err(StoreError::Config(format!(
                "迁移 {} 已应用于此数据库，但程序中的内容与当时不同（校验和不符）。已发布的迁移不可修改，结构变化须另写新的迁移",
                m.label()
            )));
        }
    }
    Ok(())
}
