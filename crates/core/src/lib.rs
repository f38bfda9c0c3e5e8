//! Xianfeng domain core: types, rules and policies. No IO lives here, so every
//! rule can be tested without a database.

pub mod attachment;
pub mod audit;
pub mod auth;
pub mod campaign;
pub mod clock;
pub mod compliance;
pub mod crypto;
pub mod discipline;
pub mod dues;
pub mod error;
pub mod first_agenda;
pub mod idcard;
pub mod key;
pub mod meeting;
pub mod member;
pub mod org;
pub mod ranking;
pub mod recruitment;
pub mod rules;
pub mod states;
pub mod text;
pub mod transfer;

pub use error::{Error, FieldError};

/// The database crate, for `state_enum!`'s column mapping (feature `sqlx`).
#[cfg(feature = "sqlx")]
#[doc(hidden)]
pub use sqlx as __sqlx;
