//! One migration set for both engines. Each migration is portable SQL plus, where
//! the engines truly differ (triggers), a short engine-specific part.

use crate::db::{Backend, Db, Result};
use crate::q;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub common: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        common: include_str!("../migrations/0001_foundation.sql"),
        sqlite: include_str!("../migrations/0001_foundation.sqlite.sql"),
        postgres: include_str!("../migrations/0001_foundation.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "meetings",
        common: include_str!("../migrations/0002_meetings.sql"),
        sqlite: include_str!("../migrations/0002_meetings.sqlite.sql"),
        postgres: include_str!("../migrations/0002_meetings.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "dues",
        common: include_str!("../migrations/0003_dues.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "dues_cycles",
        common: include_str!("../migrations/0004_dues_cycles.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 5,
        name: "dues_deductions",
        common: include_str!("../migrations/0005_dues_deductions.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "dues_unpaid_index",
        common: include_str!("../migrations/0006_dues_unpaid_index.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "meetings_by_date",
        common: include_str!("../migrations/0007_meetings_by_date.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "recruitment",
        common: include_str!("../migrations/0008_recruitment.sql"),
        sqlite: include_str!("../migrations/0008_recruitment.sqlite.sql"),
        postgres: include_str!("../migrations/0008_recruitment.postgres.sql"),
    },
    Migration {
        version: 9,
        name: "transfers",
        common: include_str!("../migrations/0009_transfers.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 10,
        name: "ranking",
        common: include_str!("../migrations/0010_ranking.sql"),
        sqlite: include_str!("../migrations/0010_ranking.sqlite.sql"),
        postgres: include_str!("../migrations/0010_ranking.postgres.sql"),
    },
    Migration {
        version: 11,
        name: "campaigns",
        common: include_str!("../migrations/0011_campaigns.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "discipline",
        common: include_str!("../migrations/0012_discipline.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 13,
        name: "dues_on_time_index",
        common: include_str!("../migrations/0013_dues_on_time_index.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 14,
        name: "credential_tickets",
        common: include_str!("../migrations/0014_credential_tickets.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 15,
        name: "id_mask_province_only",
        common: include_str!("../migrations/0015_id_mask_province_only.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 16,
        name: "checkin_refusals",
        common: include_str!("../migrations/0016_checkin_refusals.sql"),
        sqlite: "",
        postgres: "",
    },
];

#[derive(sqlx::FromRow)]
struct Applied {
    version: i64,
}

/// Applies every migration not yet applied, each in its own transaction.
/// Returns the versions applied now.
pub async fn migrate(db: &Db) -> Result<Vec<i64>> {
    db.run_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let applied: Vec<Applied> = db.r().fetch_all(q!("SELECT version FROM schema_migrations")).await?;
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
            "BEGIN;\n{}\n{}\nINSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, '{}', {});\nCOMMIT;",
            m.common,
            specific,
            m.version,
            m.name,
            xianfeng_core::text::now_ms()
        );
        db.run_script(&script).await?;
        done.push(m.version);
    }
    Ok(done)
}
