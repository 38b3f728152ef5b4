//! Cards and card learning (contract §5.2): a card belongs to its owner.

use argus_db::schema::{card, user};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::call;
use crate::support::{config, demo_db, state, user_token, LiveMonitor};

#[actix_web::test]
async fn cards_belong_to_their_owner() {
    let db = demo_db();
    let monitor = LiveMonitor::start();
    let app = crate::app!(state(config(&db, &monitor.path)));
    let admin = user_token(1, "admin", 0);
    let chuck = user_token(2, "user", 0);
    for (owner, description) in [(1, "b admin"), (2, "z chuck"), (2, "a chuck")] {
        diesel::insert_into(card::table)
            .values((
                card::code.eq("hash"),
                card::user_id.eq(owner),
                card::enabled.eq(true),
                card::description.eq(description),
            ))
            .execute(&mut db.conn())
            .unwrap();
    }
    let (status, mine) = call!(app, GET, "/api/cards", chuck);
    assert_eq!(status, 200);
    let descriptions: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        descriptions,
        ["a chuck", "z chuck"],
        "own cards, by description"
    );
    let mut keys: Vec<&String> = mine[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["description", "enabled", "id", "userId"]);
    let (status, _) = call!(app, GET, "/api/cards?userId=1", chuck);
    assert_eq!(status, 401);
    let (_, all) = call!(app, GET, "/api/cards", admin);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (_, of_chuck) = call!(app, GET, "/api/cards?userId=2", admin);
    assert_eq!(of_chuck.as_array().unwrap().len(), 2);

    let admins_card = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["userId"] == 1)
        .unwrap()["id"]
        .clone();
    let (status, body) = call!(app, GET, &format!("/api/card/{admins_card}"), chuck);
    assert_eq!((status, body), (403, json!({"error": "Not authorized"})));
    let own = mine[0]["id"].clone();
    let uri = format!("/api/card/{own}");
    let (status, body) = call!(
        app,
        PUT,
        &uri,
        Some(chuck.as_str()),
        Some(json!({"enabled": false}))
    );
    assert_eq!((status, &body["enabled"]), (200, &json!(false)));
    let (status, _) = call!(
        app,
        PUT,
        &uri,
        Some(chuck.as_str()),
        Some(json!({"enabled": false}))
    );
    assert_eq!(status, 204);
    let (status, body) = call!(app, DELETE, &uri, chuck);
    assert_eq!((status, body), (200, Value::Null));
    let (status, _) = call!(app, GET, &uri, chuck);
    assert_eq!(status, 404);

    let (status, _) = call!(app, GET, "/api/user/1/cards", chuck);
    assert_eq!(status, 401, "ArPI served anyone's cards without a token");
    let (status, list) = call!(app, GET, "/api/user/2/cards", chuck);
    assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(1)));
    let (status, _) = call!(app, GET, "/api/user/2/cards");
    assert_eq!(status, 403);

    let (status, _) = call!(app, PUT, "/api/user/1/register_card", chuck);
    assert_eq!(status, 401, "no self check in ArPI");
    call!(app, PUT, "/api/user/2/register_card", chuck);
    let windows: Vec<(i32, Option<chrono::DateTime<chrono::Utc>>)> = user::table
        .order(user::id)
        .select((user::id, user::card_registration_expiry))
        .load(&mut db.conn())
        .unwrap();
    let open = windows[1].1.unwrap();
    assert!(windows[0].1.is_none());
    let seconds = (open - chrono::Utc::now()).num_seconds();
    assert!((55..=60).contains(&seconds), "{seconds}");
}
