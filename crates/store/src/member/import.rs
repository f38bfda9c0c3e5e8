//! Importing members all-or-nothing: a spreadsheet is read, checked and
//! written in chunks inside one transaction (the operation web and CLI share).

use super::*;
use crate::xlsx::{ImportLimits, XlsxError};
use xianfeng_core::audit::Outcome;
use xianfeng_core::auth::MemberWrite;
use xianfeng_core::states::sql;
use xianfeng_core::states::sql_in;

/// A problem with one spreadsheet row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowError {
    /// 1-based row number as the user sees it in Excel.
    pub row: usize,
    /// The column header.
    pub column: String,
    pub reason: String,
}

/// The outcome of an import.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub errors: Vec<RowError>,
}

impl ImportReport {
    /// Problems a page lists of each column before it only counts the rest:
    /// a column wrong in every row is one mistake to fix, not thousands.
    pub const SHOWN_PER_COLUMN: usize = 20;

    /// The problems a page shows: the first [`Self::SHOWN_PER_COLUMN`] of each column, in row order.
    pub fn shown_errors(&self) -> Vec<&RowError> {
        let mut seen: std::collections::HashMap<&str, usize> = Default::default();
        self.errors
            .iter()
            .filter(|e| {
                let n = seen.entry(e.column.as_str()).or_default();
                *n += 1;
                *n <= Self::SHOWN_PER_COLUMN
            })
            .collect()
    }

    /// The problems not shown, by column: (column, how many), in column order of first appearance.
    pub fn not_shown(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for e in &self.errors {
            match out.iter_mut().find(|(c, _)| *c == e.column) {
                Some((_, n)) => *n += 1,
                None => out.push((e.column.clone(), 1)),
            }
        }
        out.into_iter()
            .filter_map(|(c, n)| (n > Self::SHOWN_PER_COLUMN).then(|| (c, n - Self::SHOWN_PER_COLUMN)))
            .collect()
    }
}

/// Branches in scope by id and by name, for resolving spreadsheet cells.
#[tracing::instrument(skip_all)]
pub async fn branch_lookup(store: &Store, scope: &OrgScope) -> Result<Vec<OrgRow>> {
    let mut q = Q::new(format!(
        "SELECT {} FROM orgs o WHERE o.kind IN {branch_or_group} AND o.active = TRUE",
        org::COLS,
        branch_or_group = sql_in(&[OrgKind::Branch, OrgKind::Group])
    ));
    scope_where(&mut q, scope, "o");
    store.db.r().fetch_all(q).await
}

/// Validates every row and writes all of them in one transaction, or none.
/// `rows` carry their spreadsheet row numbers. The branch column may hold an
/// org id or a branch name unique in the scope.
#[tracing::instrument(skip_all)]
pub async fn import(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    rows: Vec<(usize, MemberInput)>,
    file_name: &str,
) -> Result<ImportReport> {
    import_with(store, scope, who, rows, file_name, Vec::new()).await
}

/// Like [`import`], with problems already found while reading the file
/// (`prior`, e.g. numeric ID cells): they count as errors, so nothing is
/// written, and every row is still checked so the user sees all problems at once.
#[tracing::instrument(skip_all)]
pub async fn import_with(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    rows: Vec<(usize, MemberInput)>,
    file_name: &str,
    prior: Vec<RowError>,
) -> Result<ImportReport> {
    let mut imp = Importer::begin(store, scope, who, file_name).await?;
    imp.add_errors(prior);
    imp.push(rows).await?;
    imp.finish().await
}

/// An import in progress: rows arrive in chunks (while the file is still being
/// read), are checked, and are written inside one transaction as long as no
/// row so far had a problem. `finish` commits only if the whole file was
/// clean; otherwise nothing is written and every problem is reported.
pub struct Importer<'a> {
    store: &'a Store,
    who: Who,
    file_name: String,
    prep: Preparer,
    report: ImportReport,
    counted_error_rows: std::collections::HashSet<usize>,
    seen: std::collections::HashMap<String, usize>,
    tx: Option<Tx>,
    batch: i64,
    now: i64,
}

impl<'a> Importer<'a> {
    pub async fn begin(store: &'a Store, scope: &MemberWrite, who: &Who, file_name: &str) -> Result<Importer<'a>> {
        let os = org_scope(scope)?;
        let orgs = import_orgs(store, os).await?;
        let now = now_ms();
        let mut tx = store.db.begin().await?;
        let batch = tx.alloc_id().await?;
        tx.c()
            .execute(q!(
                "INSERT INTO import_batches (id, kind, file_name, user_id, username, ts_ms, row_count) VALUES ($1, 'members', $2, $3, $4, $5, 0)",
                batch,
                file_name,
                who.user_id,
                who.username.clone(),
                now
            ))
            .await?;
        Ok(Importer {
            store,
            who: who.clone(),
            file_name: file_name.to_string(),
            prep: Preparer {
                orgs: std::sync::Arc::new(OrgIndex::new(orgs)),
                keys: store.keys.clone(),
                today: today_cn(),
            },
            report: ImportReport::default(),
            counted_error_rows: Default::default(),
            seen: Default::default(),
            tx: Some(tx),
            batch,
            now,
        })
    }

    /// Problems found while reading the file (they count as rows with errors).
    pub fn add_errors(&mut self, errors: Vec<RowError>) {
        for e in &errors {
            if self.counted_error_rows.insert(e.row) {
                self.report.rows += 1;
            }
        }
        self.report.errors.extend(errors);
    }

    /// Checks a chunk of rows and, while the file is clean so far, writes them.
    pub async fn push(&mut self, rows: Vec<(usize, MemberInput)>) -> Result<()> {
        let prepared = self.prep.prepare(rows, true);
        self.write(prepared).await
    }

    /// The CPU-only half of `push` (validation and sealing), to run on another
    /// thread while the previous chunk is being written.
    pub fn preparer(&self) -> Preparer {
        self.prep.clone()
    }

    /// The database half of `push`: duplicate checks and the write.
    pub async fn write(&mut self, prepared: Prepared) -> Result<()> {
        let existing = existing_ids(self.store, &prepared).await?;
        self.write_checked(prepared, existing).await
    }

    /// Like `write`, with the chunk's already-registered ID numbers looked up
    /// beforehand (see [`existing_ids`]), e.g. while the previous chunk was written.
    pub async fn write_checked(&mut self, prepared: Prepared, existing: Vec<String>) -> Result<()> {
        let Prepared { rows, valid, sealed, errors } = prepared;
        self.report.rows += rows;
        self.report.errors.extend(errors);
        let col = |f: &str| core_member::field_label(f).to_string();
        // Duplicates inside the file and against the database.
        for ((row_no, _, _), s) in valid.iter().zip(&sealed) {
            if let Some(first) = self.seen.insert(s.id_card_index.clone(), *row_no) {
                self.report.errors.push(RowError {
                    row: *row_no,
                    column: col("id_card"),
                    reason: format!("与第{first}行的公民身份号码重复"),
                });
            }
        }
        let positions: std::collections::HashMap<&str, usize> =
            valid.iter().zip(&sealed).map(|((row_no, _, _), s)| (s.id_card_index.as_str(), *row_no)).collect();
        for v in existing {
            if let Some(row_no) = positions.get(v.as_str()) {
                self.report.errors.push(RowError {
                    row: *row_no,
                    column: col("id_card"),
                    reason: "该公民身份号码已有党员档案".into(),
                });
            }
        }
        if !self.report.errors.is_empty() {
            // Nothing of this file will be kept: stop writing, keep checking.
            self.tx = None;
            return Ok(());
        }
        let Some(tx) = self.tx.as_mut() else { return Ok(()) };
        if valid.is_empty() {
            return Ok(());
        }
        let ids = tx.alloc_ids(valid.len() as i64).await?;
        let (now, batch) = (self.now, self.batch);
        let orgs: std::collections::BTreeSet<(i64, i64)> = valid.iter().map(|(_, v, cid)| (*cid, v.org_id)).collect();
        let mut rows: Vec<Vec<Arg>> = valid
            .into_iter()
            .zip(sealed)
            .zip(ids)
            .map(|(((_, v, cid), s), id)| {
                let mut row = insert_values_owned(cid, id, v, s, now);
                row.push(batch.into());
                row
            })
            .collect();
        let written = rows.len();
        for chunk in rows.chunks_mut(1000) {
            let mut q = Q::new(format!("INSERT INTO members ({INSERT_COLS}, import_batch_id) VALUES "));
            for (i, row) in chunk.iter_mut().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push_row(std::mem::take(row));
            }
            tx.c().execute(q).await?;
        }
        for (committee_id, org_id) in orgs {
            super::counts::recount(tx, committee_id, org_id).await?;
        }
        self.report.imported += written;
        Ok(())
    }

    /// Commits a clean file (all rows), or writes nothing and reports every problem.
    pub async fn finish(mut self) -> Result<ImportReport> {
        let mut report = std::mem::take(&mut self.report);
        let who = self.who.clone();
        if !report.errors.is_empty() || self.tx.is_none() {
            drop(self.tx.take());
            report.imported = 0;
            report.errors.sort_by_key(|e| e.row);
            self.store
                .audit(
                    &who,
                    Event::ok("import", "member", &self.file_name).outcome(Outcome::Failure).detail(format!(
                        "{}行，{}处错误，未写入",
                        report.rows,
                        report.errors.len()
                    )),
                )
                .await?;
            return Ok(report);
        }
        let mut tx = self.tx.take().expect("a clean import keeps its transaction");
        tx.c()
            .execute(q!("UPDATE import_batches SET row_count = $1 WHERE id = $2", report.imported as i64, self.batch))
            .await?;
        append(
            &mut tx,
            &self.store.keys.audit_key,
            &who,
            Event::ok("import", "member", &self.file_name).detail(format!("导入{}名", report.imported)),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}

/// The blind indexes of a prepared chunk that already belong to a member
/// (read on a reader connection; committed rows only).
#[tracing::instrument(skip_all)]
pub async fn existing_ids(store: &Store, prepared: &Prepared) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let indexes: Vec<&String> = prepared.sealed.iter().map(|s| &s.id_card_index).collect();
    for chunk in indexes.chunks(4000) {
        let mut q = Q::new(format!(
            "SELECT id_card_index AS v FROM members WHERE status <> {deceased} AND id_card_index IN (",
            deceased = sql(MemberStatus::Deceased)
        ));
        for (i, ix) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(",");
            }
            q.bind((*ix).clone());
        }
        q.push(")");
        #[derive(sqlx::FromRow)]
        struct V {
            v: String,
        }
        out.extend(store.db.r().fetch_all::<V>(q).await?.into_iter().map(|r| r.v));
    }
    Ok(out)
}

/// Validation and sealing of import rows: pure computation, safe to run on
/// any thread.
#[derive(Clone)]
pub struct Preparer {
    orgs: std::sync::Arc<OrgIndex>,
    keys: std::sync::Arc<crate::Keys>,
    today: NaiveDate,
}

/// A chunk of rows after validation and sealing.
pub struct Prepared {
    rows: usize,
    valid: Vec<(usize, ValidMember, i64)>,
    sealed: Vec<Sealed>,
    errors: Vec<RowError>,
}

impl Preparer {
    /// `parallel`: seal on all cores (when nothing else runs beside it).
    pub fn prepare(&self, rows: Vec<(usize, MemberInput)>, parallel: bool) -> Prepared {
        let n = rows.len();
        let (valid, errors) = validate_rows(&self.orgs, rows, self.today);
        let members: Vec<&ValidMember> = valid.iter().map(|(_, v, _)| v).collect();
        let sealed = if parallel {
            seal_all(&self.keys.cipher, members)
        } else {
            members.into_iter().map(|v| seal_with(&self.keys.cipher, v)).collect()
        };
        Prepared { rows: n, valid, sealed, errors }
    }
}

/// Resolves branch and group cells to ids and validates each row.
pub(crate) fn validate_rows(
    orgs: &OrgIndex,
    rows: Vec<(usize, MemberInput)>,
    today: NaiveDate,
) -> (Vec<(usize, ValidMember, i64)>, Vec<RowError>) {
    let col = |f: &str| core_member::field_label(f).to_string();
    let mut valid = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for (row_no, mut input) in rows {
        let mut row_errs: Vec<RowError> = Vec::new();
        let bcell = input.org_id.trim().to_string();
        let branch = if bcell.is_empty() {
            None
        } else {
            let found = orgs.branches(&bcell);
            match found.len() {
                1 => Some(found[0]),
                0 => {
                    row_errs.push(RowError {
                        row: row_no,
                        column: col("org_id"),
                        reason: format!("找不到党支部“{bcell}”（或不在您的管理范围内）"),
                    });
                    None
                }
                n => {
                    let mut units: Vec<&str> = found.iter().map(|o| o.unit_name.as_str()).collect();
                    units.dedup();
                    let example = units.first().copied().unwrap_or("单位名称");
                    row_errs.push(RowError {
                        row: row_no,
                        column: col("org_id"),
                        reason: format!(
                            "名为“{bcell}”的党支部有 {n} 个（{}），请写成“{example}/{bcell}”的形式或填写组织编号",
                            units.join("、")
                        ),
                    });
                    None
                }
            }
        };
        if let Some(b) = branch {
            input.org_id = b.id.to_string();
            let g = input.group_id.trim().to_string();
            if !g.is_empty() {
                match orgs.group(b.id, &g) {
                    Some(o) => input.group_id = o.id.to_string(),
                    None => row_errs.push(RowError {
                        row: row_no,
                        column: col("group_id"),
                        reason: format!("党小组“{g}”不属于{}", b.name),
                    }),
                }
            }
        } else if !bcell.is_empty() {
            input.org_id = "0".into();
        }
        match core_member::validate(&input, today) {
            Ok(v) => {
                if row_errs.is_empty() {
                    let cid = branch.map(|b| b.committee_id).unwrap_or(0);
                    valid.push((row_no, v, cid));
                }
            }
            Err(xianfeng_core::Error::Invalid(errs)) => {
                for FieldError { field, message } in errs {
                    if field == "org_id" && !row_errs.is_empty() {
                        continue;
                    }
                    if field == "group_id" && row_errs.iter().any(|e| e.column == col("group_id")) {
                        continue;
                    }
                    row_errs.push(RowError { row: row_no, column: col(&field), reason: message });
                }
            }
            Err(e) => row_errs.push(RowError { row: row_no, column: String::new(), reason: e.to_string() }),
        }
        errors.extend(row_errs);
    }
    (valid, errors)
}

/// Imports an .xlsx file: the workbook is read on a blocking thread and handed
/// over in chunks, which are checked and written while the rest is still being
/// read, all inside one transaction. A file-level problem (not a workbook, too
/// large, missing columns) is an error and writes nothing; row problems come
/// back in the report, and then nothing is written either. `progress` hears
/// the number of rows checked after each chunk.
#[tracing::instrument(skip_all)]
pub async fn import_file(
    store: &Store,
    scope: &MemberWrite,
    who: &Who,
    bytes: Vec<u8>,
    file_name: &str,
    limits: ImportLimits,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ImportReport> {
    // Refuse bad files before opening a transaction.
    if bytes.len() > limits.max_file_bytes {
        return Err(XlsxError::FileTooLarge { limit_mb: limits.max_file_bytes / 1024 / 1024 }.into());
    }
    // The parser starts reading while the import begins (loading the scope's branches).
    let (send, mut receive) = tokio::sync::mpsc::channel::<Vec<(usize, MemberInput)>>(4);
    let parser = tokio::task::spawn_blocking(move || {
        crate::xlsx::parse_members_streaming(&bytes, &limits, 1000, &mut |rows| {
            // The receiver only goes away when the import failed; then stop quietly.
            let _ = send.blocking_send(rows);
        })
    });
    let mut importer = Importer::begin(store, scope, who, file_name).await?;
    // Three stages run at once: the parser thread reads the next rows, a
    // blocking thread validates and seals a chunk, and the importer writes the
    // chunk before it.
    let preparer = importer.preparer();
    type Stage = tokio::task::JoinHandle<Result<(Prepared, Vec<String>)>>;
    let mut pending: Option<Stage> = None;
    while let Some(rows) = receive.recv().await {
        let p = preparer.clone();
        let st = store.clone();
        let next: Stage = tokio::spawn(async move {
            let prepared = tokio::task::spawn_blocking(move || p.prepare(rows, false))
                .await
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            let existing = existing_ids(&st, &prepared).await?;
            Ok((prepared, existing))
        });
        if let Some(prev) = pending.replace(next) {
            let (prepared, existing) = prev.await.map_err(|e| StoreError::Internal(e.to_string()))??;
            let rows = prepared.rows as u64;
            importer.write_checked(prepared, existing).await?;
            progress(rows);
        }
    }
    if let Some(prev) = pending {
        let (prepared, existing) = prev.await.map_err(|e| StoreError::Internal(e.to_string()))??;
        let rows = prepared.rows as u64;
        importer.write_checked(prepared, existing).await?;
        progress(rows);
    }
    let cell_errors = parser.await.map_err(|e| StoreError::Internal(e.to_string()))?.map_err(StoreError::File)?;
    importer.add_errors(cell_errors);
    importer.finish().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_shows_twenty_problems_of_a_column_and_counts_the_rest() {
        let err = |row: usize, column: &str| RowError { row, column: column.into(), reason: "x".into() };
        let mut errors: Vec<RowError> = (1..=50).map(|r| err(r, "公民身份号码")).collect();
        errors.push(err(7, "姓名"));
        let r = ImportReport { rows: 50, imported: 0, errors };
        let shown = r.shown_errors();
        assert_eq!(shown.len(), 21);
        assert_eq!(shown.iter().filter(|e| e.column == "公民身份号码").count(), 20);
        assert_eq!(r.not_shown(), vec![("公民身份号码".to_string(), 30)]);
    }
}
