//! The shared lock-out counters on a real PostgreSQL: attempts from several
//! connections at once (as from several server instances) are charged
//! against one counter, a success gives back what it proves, an
//! administrator lists and clears, and old counters are pruned.

use argus_db::lockout;
use argus_db::test_db::TestDb;
use argus_protocol::lockout::{Attempt, Key, Policy};
use std::time::Duration;

fn login(user: i32, device: &str, address: &str) -> Attempt {
    Attempt {
        user: Some(user),
        device: Some(device.into()),
        address: Some(address.parse().unwrap()),
        keypad: None,
    }
}

#[test]
fn parallel_attempts_on_several_connections_share_one_counter() {
    let db = TestDb::new();
    let policy = Policy::default();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let mut conn = db.conn();
            std::thread::spawn(move || {
                (0..10)
                    .filter(|i| {
                        let a = login(1, &format!("d{t}-{i}"), &format!("10.0.{t}.{i}"));
                        lockout::attempt(&mut conn, &policy, &a)
                            .unwrap()
                            .is_allowed()
                    })
                    .count()
            })
        })
        .collect();
    let checked: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(checked, 5, "the user's counter bounds all 40 attempts");
    let views = lockout::list(&mut db.conn()).unwrap();
    let user = views.iter().find(|v| v.key == Key::User(1)).unwrap();
    assert_eq!(user.failures, 5, "refused attempts are not charged");
    assert!(user.locked_for > 0 && user.locked_for <= 30);
    assert_eq!(views[0].locked_for, user.locked_for, "locked ones first");
}

#[test]
fn a_success_clears_what_it_proves_and_its_device_becomes_known() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let policy = Policy::default();
    for _ in 0..4 {
        lockout::attempt(&mut conn, &policy, &login(2, "attacker", "10.0.0.1")).unwrap();
    }
    let owner = login(1, "phone", "10.0.0.1");
    assert!(lockout::attempt(&mut conn, &policy, &owner)
        .unwrap()
        .is_allowed());
    lockout::succeeded(&mut conn, &policy, &owner).unwrap();
    let views = lockout::list(&mut conn).unwrap();
    let address = views
        .iter()
        .find(|v| matches!(v.key, Key::Address(_)))
        .unwrap();
    assert_eq!(
        address.failures, 4,
        "the owner's charge given back, not the attacker's"
    );
    assert!(!views
        .iter()
        .any(|v| v.key == Key::User(1) || v.key == Key::Device("phone".into())));

    // The attacker now locks user 1 from other devices; the known phone still gets in.
    for i in 0..10 {
        lockout::attempt(
            &mut conn,
            &policy,
            &login(1, "stolen", &format!("10.0.1.{i}")),
        )
        .unwrap();
    }
    let other = login(1, "other", "10.0.2.1");
    assert!(!lockout::attempt(&mut conn, &policy, &other)
        .unwrap()
        .is_allowed());
    assert!(lockout::attempt(&mut conn, &policy, &owner)
        .unwrap()
        .is_allowed());
}

#[test]
fn clearing_one_user_takes_their_counters_and_devices_only() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let policy = Policy::default();
    lockout::attempt(&mut conn, &policy, &login(3, "3:abc", "10.0.0.3")).unwrap();
    lockout::attempt(&mut conn, &policy, &login(33, "33:abc", "10.0.0.4")).unwrap();
    assert_eq!(
        lockout::clear(&mut conn, Some(3)).unwrap(),
        2,
        "user 3 and device 3:abc"
    );
    let left: Vec<Key> = lockout::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|v| v.key)
        .collect();
    assert_eq!(left.len(), 4);
    assert!(left.contains(&Key::User(33)) && left.contains(&Key::Device("33:abc".into())));
    assert_eq!(lockout::clear(&mut conn, None).unwrap(), 4);
    assert!(lockout::list(&mut conn).unwrap().is_empty());
}

#[test]
fn pruning_forgets_unlocked_counters_past_the_forget_time() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let quick = Policy {
        free: 1,
        base: Duration::from_secs(3600),
        cap: Duration::from_secs(3600),
        forget: Duration::ZERO,
    };
    let keypad = |id| Attempt {
        keypad: Some(id),
        ..Attempt::default()
    };
    lockout::attempt(&mut conn, &Policy::default(), &keypad(1)).unwrap();
    lockout::attempt(&mut conn, &quick, &keypad(2)).unwrap(); // locked for an hour
    assert_eq!(lockout::prune(&mut conn, &quick).unwrap(), 1);
    let left: Vec<Key> = lockout::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|v| v.key)
        .collect();
    assert_eq!(left, [Key::Keypad(2)], "a locked counter is kept");
}
