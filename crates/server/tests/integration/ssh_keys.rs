//! SSH keys (contract §5.1): installed, generated and removed.

use serde_json::json;

use crate::call;
use crate::support::{config, demo_db, state, user_token, LiveMonitor};

#[actix_web::test]
async fn ssh_keys_are_installed_generated_and_removed() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let home = tempfile::tempdir().unwrap();
    let keys = home.path().join(".ssh/authorized_keys");
    let mut cfg = config(&db, &monitor.path);
    cfg.authorized_keys = keys.clone();
    let app = crate::app!(state(cfg));
    let admin = user_token(1, "admin", 0);

    let (_, has) = call!(app, GET, "/api/user/2/has_ssh_key", admin);
    assert_eq!(has, json!(false));
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKh0 laptop";
    let (status, body) = call!(
        app,
        PUT,
        "/api/user/2/ssh_key",
        Some(admin.as_str()),
        Some(json!({"publicKey": key}))
    );
    assert_eq!((status, body), (200, json!(true)));
    let text = std::fs::read_to_string(&keys).unwrap();
    assert!(
        text.starts_with("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKh0 Chuck_Norris_2@"),
        "{text}"
    );
    let (_, has) = call!(app, GET, "/api/user/2/has_ssh_key", admin);
    assert_eq!(has, json!(true));
    let (status, _) = call!(
        app,
        PUT,
        "/api/user/2/ssh_key",
        Some(admin.as_str()),
        Some(json!({"publicKey": "$(reboot)"}))
    );
    assert_eq!(status, 400);

    let (status, private) = call!(
        app,
        POST,
        "/api/user/1/ssh_key",
        Some(admin.as_str()),
        Some(json!({"keyType": "ed25519", "passphrase": "a'b\"c"}))
    );
    assert_eq!(status, 200);
    assert!(private.as_str().unwrap().contains("PRIVATE KEY"));
    let (status, _) = call!(
        app,
        POST,
        "/api/user/1/ssh_key",
        Some(admin.as_str()),
        Some(json!({"keyType": "dsa; reboot", "passphrase": ""}))
    );
    assert_eq!(status, 400);
    assert_eq!(std::fs::read_to_string(&keys).unwrap().lines().count(), 2);

    let (status, body) = call!(app, DELETE, "/api/user/2/ssh_key", admin);
    assert_eq!((status, body), (200, json!(true)));
    let (_, has) = call!(app, GET, "/api/user/2/has_ssh_key", admin);
    assert_eq!(has, json!(false));
    let (_, has) = call!(app, GET, "/api/user/1/has_ssh_key", admin);
    assert_eq!(has, json!(true));
    let (status, _) = call!(app, GET, "/api/user/999/has_ssh_key", admin);
    assert_eq!(status, 404);
}
