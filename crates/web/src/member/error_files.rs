//! The import's problems as the user's own file (导入错误标注): made when an
//! import is refused, kept a while in memory for the account that uploaded
//! it, downloaded from the refusal page. A transient file, not data: it holds
//! nothing the upload did not, and only its uploader can fetch it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a file is kept, and how many at most (the oldest go first).
const KEEP: Duration = Duration::from_secs(60 * 60);
const MAX_FILES: usize = 32;

struct Entry {
    token: String,
    user_id: i64,
    made: Instant,
    name: String,
    bytes: Vec<u8>,
}

#[derive(Default)]
pub struct ErrorFiles {
    files: Mutex<Vec<Entry>>,
}

impl ErrorFiles {
    /// Keeps a file for `user_id`; returns the token that fetches it.
    pub fn keep(&self, user_id: i64, name: String, bytes: Vec<u8>) -> String {
        let token = xianfeng_core::crypto::random_hex(16);
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.retain(|e| e.made.elapsed() < KEEP);
        if files.len() >= MAX_FILES {
            files.remove(0);
        }
        files.push(Entry { token: token.clone(), user_id, made: Instant::now(), name, bytes });
        token
    }

    /// The file behind `token`, for its uploader only (anyone else: none).
    pub fn get(&self, user_id: i64, token: &str) -> Option<(String, Vec<u8>)> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files
            .iter()
            .find(|e| e.token == token && e.user_id == user_id && e.made.elapsed() < KEEP)
            .map(|e| (e.name.clone(), e.bytes.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_for_its_uploader_only() {
        let files = ErrorFiles::default();
        let t = files.keep(7, "a.xlsx".into(), vec![1, 2, 3]);
        assert_eq!(files.get(7, &t), Some(("a.xlsx".to_string(), vec![1, 2, 3])));
        assert_eq!(files.get(8, &t), None, "another account gets nothing");
        assert_eq!(files.get(7, "0000"), None);
        for i in 0..MAX_FILES {
            files.keep(9, format!("{i}"), Vec::new());
        }
        assert_eq!(files.get(7, &t), None, "the oldest go first");
    }
}
