//! Progress of long work, on standard error: on a terminal a bar redrawn in
//! place; otherwise (a log, CI, a pipe) a line when a phase starts, a line
//! every few seconds while it runs, and a line when it ends with its time.
//! Standard output stays for results (the demo's summary and accounts).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often a non-terminal gets a line while a phase runs.
const LINE_EVERY: Duration = Duration::from_secs(5);
/// How often a terminal's bar is redrawn.
const DRAW_EVERY: Duration = Duration::from_millis(200);

/// One phase of long work: `label`, and `total` units when they are known.
pub struct Progress {
    label: String,
    unit: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    shown: Instant,
    tty: bool,
}

impl Progress {
    /// Starts a phase of `total` units (0 when unknown: a phase without a bar).
    pub fn new(label: &str, total: u64, unit: &'static str) -> Progress {
        let tty = std::io::stderr().is_terminal();
        let now = Instant::now();
        let p = Progress { label: label.to_string(), unit, total, done: 0, started: now, shown: now, tty };
        if !tty {
            if total > 0 {
                eprintln!("{}：开始（共 {} {}）", p.label, total, unit);
            } else {
                eprintln!("{}：开始", p.label);
            }
        } else {
            p.draw();
        }
        p
    }

    /// `n` more units done.
    pub fn advance(&mut self, n: u64) {
        self.done += n;
        let every = if self.tty { DRAW_EVERY } else { LINE_EVERY };
        if self.shown.elapsed() >= every {
            self.shown = Instant::now();
            if self.tty {
                self.draw();
            } else {
                eprintln!("{}：{}", self.label, self.counts());
            }
        }
    }

    /// Now `done` units done in all (for work that reports totals).
    pub fn set(&mut self, done: u64) {
        let n = done.saturating_sub(self.done);
        self.advance(n);
    }

    /// Ends the phase with its time.
    pub fn finish(self) {
        let secs = self.started.elapsed().as_secs_f64();
        if self.tty {
            eprint!("\r\x1b[2K");
        }
        if self.total > 0 {
            eprintln!("{}：完成 {} {}（{:.1} 秒）", self.label, self.done, self.unit, secs);
        } else {
            eprintln!("{}：完成（{:.1} 秒）", self.label, secs);
        }
    }

    fn counts(&self) -> String {
        if self.total > 0 {
            let pct = self.done as f64 * 100.0 / self.total as f64;
            format!("{}/{} {}（{pct:.0}%）", self.done, self.total, self.unit)
        } else {
            format!("{} {}", self.done, self.unit)
        }
    }

    fn draw(&self) {
        const WIDTH: usize = 30;
        let filled = if self.total > 0 { (self.done as usize * WIDTH) / self.total as usize } else { 0 };
        let bar: String = "█".repeat(filled.min(WIDTH)) + &"░".repeat(WIDTH - filled.min(WIDTH));
        let mut err = std::io::stderr();
        let _ = write!(err, "\r\x1b[2K{} {bar} {}", self.label, self.counts());
        let _ = err.flush();
    }
}

/// Runs one phase without a count: a line when it starts and when it ends.
pub async fn phase<T>(label: &str, work: impl std::future::Future<Output = T>) -> T {
    let p = Progress::new(label, 0, "");
    let out = work.await;
    p.finish();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_say_done_total_and_percent() {
        let mut p = Progress::new("测试", 4, "个单位");
        p.advance(1);
        assert_eq!(p.counts(), "1/4 个单位（25%）");
        p.advance(3);
        assert_eq!(p.counts(), "4/4 个单位（100%）");
        p.finish();
        let mut q = Progress::new("无总数", 0, "条");
        q.advance(7);
        assert_eq!(q.counts(), "7 条");
        q.finish();
    }
}
