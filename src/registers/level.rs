//! Classification levels (密级), shared by every register.
//!
//! Contract: 绝密, 机密, 秘密 are state secrets with the law's maximum secrecy periods (30, 20,
//! 10 years) and the missing-item deadlines (10, 60 days); 工作秘密 and 内部 are tracked but are
//! not state secrets. `rank` orders them from most to least secret (0 = 绝密).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// Classification level (密级).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Level {
    #[serde(rename = "绝密")]
    TopSecret,
    #[serde(rename = "机密")]
    Secret,
    #[serde(rename = "秘密")]
    Confidential,
    #[serde(rename = "工作秘密")]
    WorkSecret,
    #[serde(rename = "内部")]
    Internal,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::TopSecret,
        Level::Secret,
        Level::Confidential,
        Level::WorkSecret,
        Level::Internal,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Level::TopSecret => "绝密",
            Level::Secret => "机密",
            Level::Confidential => "秘密",
            Level::WorkSecret => "工作秘密",
            Level::Internal => "内部",
        }
    }

    pub fn parse(field: &str, s: &str) -> Result<Level> {
        let t = s.trim().trim_end_matches('级');
        Level::ALL
            .into_iter()
            .find(|l| l.label() == t)
            .ok_or_else(|| {
                Error::field(
                    field,
                    "密级",
                    format!("“{s}”无效，应为 绝密、机密、秘密、工作秘密 或 内部"),
                )
            })
    }

    /// 绝密/机密/秘密 are state secrets (国家秘密); the others are tracked but are not.
    pub fn is_state_secret(self) -> bool {
        matches!(self, Level::TopSecret | Level::Secret | Level::Confidential)
    }

    /// The longest secrecy period the law allows for this level, in years.
    pub fn max_years(self) -> Option<u32> {
        match self {
            Level::TopSecret => Some(30),
            Level::Secret => Some(20),
            Level::Confidential => Some(10),
            _ => None,
        }
    }

    /// Days a missing item of this level may stay missing before it is a leak incident.
    pub fn missing_days(self) -> Option<i64> {
        match self {
            Level::TopSecret => Some(10),
            Level::Secret | Level::Confidential => Some(60),
            _ => None,
        }
    }

    /// Ordering from most to least secret (0 = 绝密).
    pub fn rank(self) -> u8 {
        match self {
            Level::TopSecret => 0,
            Level::Secret => 1,
            Level::Confidential => 2,
            Level::WorkSecret => 3,
            Level::Internal => 4,
        }
    }

    /// The character used in serial numbers (机-2026-0001).
    pub fn short(self) -> char {
        match self {
            Level::TopSecret => '绝',
            Level::Secret => '机',
            Level::Confidential => '秘',
            Level::WorkSecret => '工',
            Level::Internal => '内',
        }
    }
}
