//! The job queue on a real PostgreSQL: claims never overlap, a lease that
//! ends hands the job to the next claim, failures retry then fail, and every
//! failed attempt is listed; a node's delivery is stored with its job in
//! one statement.

use argus_db::models::{JobErrorRow, JobRow, NewNodeEvent, NodeEventRow};
use argus_db::test_db::TestDb;
use chrono::{Duration, Utc};
use diesel::RunQueryDsl;

#[test]
fn two_workers_never_claim_the_same_job_and_a_lost_lease_is_claimed_again() {
    let db = TestDb::new();
    let mut a = db.conn();
    let mut b = db.conn();
    for n in 0..3 {
        JobRow::enqueue(&mut a, "test", &n.to_string()).unwrap();
    }
    let now = Utc::now();
    // Worker A holds its claim open in a transaction while B claims.
    let (first, second) = a
        .build_transaction()
        .run(|a| {
            let first = JobRow::claim(a, now, 1_000, 2)?;
            let second = JobRow::claim(&mut b, now, 1_000, 10)?;
            diesel::QueryResult::Ok((first, second))
        })
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(
        second.len(),
        1,
        "the rows A locked are skipped, not waited for"
    );
    assert!(first.iter().all(|j| !second.iter().any(|s| s.id == j.id)));
    assert!(first
        .iter()
        .all(|j| j.state == "processing" && j.attempts == 1));

    // Nothing is due while the leases run; after them, all three again.
    assert!(JobRow::claim(&mut a, now, 1_000, 10).unwrap().is_empty());
    let later = now + Duration::seconds(2);
    let again = JobRow::claim(&mut a, later, 1_000, 10).unwrap();
    assert_eq!(again.len(), 3);
    assert!(again.iter().all(|j| j.attempts == 2));
    let ids: Vec<i64> = again.iter().map(|j| j.id).collect();
    JobRow::done(&mut a, &ids, later).unwrap();
    assert_eq!(JobRow::backlog(&mut a).unwrap().0, 0);
    assert!(JobRow::claim(&mut a, later + Duration::hours(1), 1_000, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn a_failed_attempt_waits_for_its_retry_and_the_last_one_fails_the_job() {
    let db = TestDb::new();
    let mut c = db.conn();
    let id = JobRow::enqueue(&mut c, "send", "{}").unwrap();
    let now = Utc::now();
    let job = JobRow::claim(&mut c, now, 60_000, 1).unwrap().remove(0);
    let retry = now + Duration::seconds(10);
    JobRow::failed(&mut c, &job, "refused", Some(retry), now).unwrap();
    assert!(JobRow::claim(&mut c, now + Duration::seconds(9), 60_000, 1)
        .unwrap()
        .is_empty());
    assert_eq!(
        JobRow::next_due(&mut c)
            .unwrap()
            .map(|t| t.timestamp_micros()),
        Some(retry.timestamp_micros()),
        "PostgreSQL keeps microseconds"
    );
    let job = JobRow::claim(&mut c, retry, 60_000, 1).unwrap().remove(0);
    assert_eq!((job.id, job.attempts), (id, 2));
    JobRow::failed(&mut c, &job, "refused again", None, retry).unwrap();
    assert_eq!(JobRow::backlog(&mut c).unwrap().0, 0);
    let errors = JobErrorRow::latest(&mut c, 10).unwrap();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.job_id, e.attempt, e.error.as_str()))
            .collect::<Vec<_>>(),
        [(id, 2, "refused again"), (id, 1, "refused")]
    );
}

#[test]
fn a_delivery_is_stored_with_one_job_naming_its_new_events_and_a_repeat_queues_nothing() {
    let db = TestDb::new();
    let mut c = db.conn();
    diesel::sql_query("INSERT INTO argus_node (id, name) VALUES (7, 'garage')")
        .execute(&mut c)
        .unwrap();
    let now = Utc::now();
    let event = |seq| NewNodeEvent {
        node_id: 7,
        seq,
        input: "door",
        state: "active",
        time: now,
        source: "http",
    };
    let first = NodeEventRow::store_queued(&mut c, &[event(1), event(2)], "node_events").unwrap();
    assert_eq!(first.iter().map(|&(_, s)| s).collect::<Vec<_>>(), [1, 2]);
    let again = NodeEventRow::store_queued(&mut c, &[event(2), event(3)], "node_events").unwrap();
    assert_eq!(again.iter().map(|&(_, s)| s).collect::<Vec<_>>(), [3]);
    assert!(
        NodeEventRow::store_queued(&mut c, &[event(1)], "node_events")
            .unwrap()
            .is_empty()
    );
    let jobs = JobRow::claim(&mut c, now + Duration::seconds(1), 1_000, 10).unwrap();
    let named: Vec<serde_json::Value> = jobs
        .iter()
        .map(|j| serde_json::from_str(&j.payload).unwrap())
        .collect();
    let ids = |stored: &[(i64, i64)]| serde_json::json!({"events": stored.iter().map(|&(id, _)| id).collect::<Vec<_>>()});
    assert_eq!(
        named,
        [ids(&first), ids(&again)],
        "one job per delivery with news"
    );
}

#[test]
fn finished_jobs_and_old_changes_are_forgotten_and_open_ones_kept() {
    let db = TestDb::new();
    let mut c = db.conn();
    let now = Utc::now();
    let long_ago = now - Duration::days(40);
    for n in 0..4 {
        JobRow::enqueue(&mut c, "test", &n.to_string()).unwrap();
    }
    let jobs = JobRow::claim(&mut c, now + Duration::seconds(1), 60_000, 3).unwrap();
    JobRow::done(&mut c, &[jobs[0].id], long_ago).unwrap();
    JobRow::done(&mut c, &[jobs[1].id], now).unwrap();
    JobRow::failed(&mut c, &jobs[2], "refused", None, long_ago).unwrap();
    diesel::sql_query("INSERT INTO argus_node (id, name) VALUES (7, 'garage')")
        .execute(&mut c)
        .unwrap();
    let event = |seq| NewNodeEvent {
        node_id: 7,
        seq,
        input: "door",
        state: "idle",
        time: now,
        source: "http",
    };
    NodeEventRow::store_queued(&mut c, &[event(1), event(2)], "none").unwrap();
    diesel::sql_query(
        "UPDATE argus_node_event SET received = now() - interval '40 days' WHERE seq = 1",
    )
    .execute(&mut c)
    .unwrap();

    let cutoff = now - Duration::days(30);
    assert_eq!(JobRow::prune(&mut c, cutoff, cutoff).unwrap(), 2);
    assert_eq!(NodeEventRow::prune(&mut c, cutoff).unwrap(), 1);
    assert!(
        JobErrorRow::latest(&mut c, 10).unwrap().is_empty(),
        "errors go with their job"
    );
    let (open, _) = JobRow::backlog(&mut c).unwrap();
    assert_eq!(open, 2, "the fourth job and the node's are still open");
}
