//! The concrete database, with an optional log of executed queries for tests.

use std::sync::{Arc, Mutex};

/// The names of the queries that salsa executed, in order (for tests).
#[derive(Clone, Default)]
pub struct QueryLog(Arc<Mutex<Vec<String>>>);

impl QueryLog {
    /// Takes the log and clears it.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The one database type used by the command line, the tests and watch mode.
#[salsa::db]
#[derive(Clone, Default)]
pub struct RootDatabase {
    storage: salsa::Storage<Self>,
}

impl RootDatabase {
    pub fn new() -> Self {
        Self::default()
    }

    /// A database that records every query it executes into the returned log.
    pub fn with_query_log() -> (Self, QueryLog) {
        let log = QueryLog::default();
        let sink = log.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                sink.0.lock().unwrap_or_else(|e| e.into_inner()).push(format!("{database_key:?}"));
            }
        })));
        (Self { storage }, log)
    }
}

#[salsa::db]
impl salsa::Database for RootDatabase {}
