//! Where a request's time goes: the queries it ran (how many, how long) and
//! the moments it marked, counted for the task that runs the request. The web
//! layer opens a [`scope`] per request, the session layer marks the moment it
//! hands over to the page, and the response reports the split in its
//! `Server-Timing` header. Outside a scope nothing is counted.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

/// A request's clock.
#[derive(Debug)]
pub struct Clock {
    started: Instant,
    queries: Cell<u32>,
    query_time: Cell<Duration>,
    /// The moment the session was resolved: (time since start, query time then, queries then).
    session: Cell<Option<(Duration, Duration, u32)>>,
}

tokio::task_local! {
    static CLOCK: Clock;
}

/// The split of one request's time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Split {
    /// Up to the page: the session, its account and CSRF check.
    pub session: Duration,
    /// The page's queries (after the session), and how many.
    pub queries: Duration,
    pub query_count: u32,
    /// The rest of the page: scope, rules in memory, JSON or the template.
    pub work: Duration,
    pub total: Duration,
}

impl Split {
    /// The `Server-Timing` header's value (milliseconds).
    pub fn header(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "session;dur={:.2}, db;dur={:.2};desc=\"{} queries\", app;dur={:.2}, total;dur={:.2}",
            ms(self.session),
            ms(self.queries),
            self.query_count,
            ms(self.work),
            ms(self.total)
        )
    }
}

/// Runs `f` with a clock; its output and the split of its time. (Not a
/// store operation: no span of its own; the request's span is around it.)
pub fn scope<F: Future>(f: F) -> impl Future<Output = (F::Output, Split)> {
    let clock = Clock {
        started: Instant::now(),
        queries: Cell::new(0),
        query_time: Cell::new(Duration::ZERO),
        session: Cell::new(None),
    };
    CLOCK.scope(clock, async move {
        let out = f.await;
        let split = CLOCK.with(|c| {
            let total = c.started.elapsed();
            let (session, q0, n0) = c.session.get().unwrap_or((Duration::ZERO, Duration::ZERO, 0));
            let queries = c.query_time.get().saturating_sub(q0);
            Split {
                session,
                queries,
                query_count: c.queries.get().saturating_sub(n0),
                work: total.saturating_sub(session).saturating_sub(queries),
                total,
            }
        });
        (out, split)
    })
}

/// Marks the moment the session layer hands the request to the page.
pub fn session_resolved() {
    let _ = CLOCK.try_with(|c| c.session.set(Some((c.started.elapsed(), c.query_time.get(), c.queries.get()))));
}

/// Counts one query that took `took`.
pub(crate) fn query_ran(took: Duration) {
    let _ = CLOCK.try_with(|c| {
        c.queries.set(c.queries.get() + 1);
        c.query_time.set(c.query_time.get() + took);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scope_splits_session_queries_and_the_rest() {
        let ((), split) = scope(async {
            query_ran(Duration::from_millis(3));
            session_resolved();
            query_ran(Duration::from_millis(5));
            query_ran(Duration::from_millis(7));
        })
        .await;
        assert_eq!((split.queries, split.query_count), (Duration::from_millis(12), 2));
        assert!(split.total >= split.session);
        assert!(split.header().contains("db;dur=12.00;desc=\"2 queries\""), "{}", split.header());
        // Outside a scope nothing is counted and nothing fails.
        query_ran(Duration::from_millis(1));
        session_resolved();
    }
}
