//! The API's one route table: method, path, guard and summary of every
//! route. `/api/openapi.json` is made from it, misnumbered paths are named
//! from it, and the authorisation matrix is driven by its `auth` column.

/// Who may call a route (contract §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Anyone.
    None,
    /// A registered device (any token signed with `SECRET`).
    Device,
    /// A user token, role user or admin (some routes then allow only yourself).
    User,
    /// A user token with role admin.
    Admin,
    /// A remote node's token (argus), for its own node only.
    Node,
}

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// OpenAPI path (`/api/user/{id}`).
    pub path: &'static str,
    /// The guard.
    pub auth: Auth,
    /// What it does.
    pub summary: &'static str,
}

const fn r(method: &'static str, path: &'static str, auth: Auth, summary: &'static str) -> Route {
    Route {
        method,
        path,
        auth,
        summary,
    }
}

use Auth::{Admin, Device, Node, None as Open, User};

/// Every route the server serves.
pub const ROUTES: &[Route] = &[
    r("GET", "/api/version", Open, "Version and build (text)"),
    r("GET", "/api/board_version", Open, "Board generation (text)"),
    r(
        "GET",
        "/api/health",
        Open,
        "Database and monitor reachability",
    ),
    r("GET", "/api/openapi.json", Open, "This document"),
    r(
        "POST",
        "/api/user/register_device",
        Open,
        "Registration code → device token",
    ),
    r(
        "POST",
        "/api/user/authenticate",
        Device,
        "PIN → user token (200 false when wrong)",
    ),
    r("GET", "/api/users", User, "Every user"),
    r("POST", "/api/users", Admin, "Create a user"),
    r(
        "GET",
        "/api/user/{id}",
        User,
        "A user (yourself, or anyone as admin)",
    ),
    r(
        "PUT",
        "/api/user/{id}",
        User,
        "Update a user (yourself, or anyone as admin)",
    ),
    r(
        "DELETE",
        "/api/user/{id}",
        Admin,
        "Delete a user and their cards",
    ),
    r("GET", "/api/user/{id}/name", Device, "A user's name"),
    r(
        "GET",
        "/api/user/{id}/registration_code",
        User,
        "Create a registration code",
    ),
    r(
        "DELETE",
        "/api/user/{id}/registration_code",
        User,
        "Delete the registration code",
    ),
    r(
        "PUT",
        "/api/user/{id}/register_card",
        User,
        "Open the 60 s card-learning window",
    ),
    r(
        "GET",
        "/api/user/{id}/cards",
        User,
        "A user's cards (yourself, or anyone as admin)",
    ),
    r(
        "POST",
        "/api/user/{id}/mcp_token",
        Admin,
        "Issue an MCP token",
    ),
    r(
        "GET",
        "/api/user/{id}/mcp_token",
        Admin,
        "Whether the user has an MCP key",
    ),
    r(
        "DELETE",
        "/api/user/{id}/mcp_token",
        Admin,
        "Revoke the MCP key and its tokens",
    ),
    r(
        "GET",
        "/api/user/{id}/has_ssh_key",
        Admin,
        "Whether the user has an SSH key",
    ),
    r(
        "POST",
        "/api/user/{id}/ssh_key",
        Admin,
        "Generate an SSH key pair",
    ),
    r(
        "PUT",
        "/api/user/{id}/ssh_key",
        Admin,
        "Install a public SSH key",
    ),
    r(
        "DELETE",
        "/api/user/{id}/ssh_key",
        Admin,
        "Remove the user's SSH key",
    ),
    r(
        "GET",
        "/api/cards",
        User,
        "Cards (yours, or a user's as admin)",
    ),
    r("GET", "/api/card/{id}", User, "A card (owner or admin)"),
    r(
        "PUT",
        "/api/card/{id}",
        User,
        "Enable or describe a card (owner or admin)",
    ),
    r(
        "DELETE",
        "/api/card/{id}",
        User,
        "Delete a card (owner or admin)",
    ),
    r("GET", "/api/monitoring/arm", Device, "The arm state"),
    r("PUT", "/api/monitoring/arm", User, "Arm away or stay"),
    r("PUT", "/api/monitoring/disarm", User, "Disarm"),
    r(
        "GET",
        "/api/monitoring/state",
        Device,
        "The monitoring state",
    ),
    r(
        "GET",
        "/api/monitoring/isAlert",
        Device,
        "Whether an alert is under way",
    ),
    r("GET", "/api/power", Device, "Mains or battery"),
    r(
        "GET",
        "/api/gsm",
        Device,
        "The modem's registration, signal and last error",
    ),
    r("GET", "/api/alert", Device, "The open alert or null"),
    r("GET", "/api/alerts", User, "Alerts, newest first"),
    r(
        "GET",
        "/api/arms",
        User,
        "Arm sessions with their alerts and sensor changes",
    ),
    r("GET", "/api/arms/count", User, "Number of arm sessions"),
    r("GET", "/api/events", Admin, "The event log"),
    r(
        "GET",
        "/api/lockouts",
        Admin,
        "Lock-out counters of PIN and code attempts",
    ),
    r(
        "DELETE",
        "/api/lockouts",
        Admin,
        "Clear lock-outs (all, or ?user_id=)",
    ),
    r("GET", "/api/areas/", User, "Areas"),
    r("POST", "/api/areas/", Admin, "Create an area"),
    r(
        "PUT",
        "/api/areas/reorder",
        Admin,
        "Reorder areas (ArPI: any device)",
    ),
    r("GET", "/api/area/{id}", Admin, "An area"),
    r("PUT", "/api/area/{id}", Admin, "Rename an area"),
    r("DELETE", "/api/area/{id}", Admin, "Delete an unused area"),
    r("PUT", "/api/area/arm", User, "Arm one area"),
    r("PUT", "/api/area/disarm", User, "Disarm one area"),
    r("GET", "/api/zones/", User, "Zones"),
    r("POST", "/api/zones/", Admin, "Create a zone"),
    r(
        "PUT",
        "/api/zones/reorder",
        Admin,
        "Reorder zones (ArPI: any device)",
    ),
    r("GET", "/api/zone/{id}", Admin, "A zone"),
    r("PUT", "/api/zone/{id}", Admin, "Update a zone"),
    r("DELETE", "/api/zone/{id}", Admin, "Delete an unused zone"),
    r(
        "GET",
        "/api/sensors/",
        User,
        "Sensors (alerting=true: alerting ones)",
    ),
    r("POST", "/api/sensors/", Admin, "Create a sensor"),
    r(
        "PUT",
        "/api/sensors/reset-references",
        Admin,
        "Recalibrate every sensor",
    ),
    r("GET", "/api/sensor/{id}", Admin, "A sensor"),
    r("PUT", "/api/sensor/{id}", Admin, "Update a sensor"),
    r("DELETE", "/api/sensor/{id}", Admin, "Delete a sensor"),
    r(
        "PUT",
        "/api/sensor/{id}/reset-reference",
        Admin,
        "Recalibrate a sensor",
    ),
    r(
        "GET",
        "/api/sensor/alert",
        Device,
        "Whether a sensor (or any) is alerting",
    ),
    r(
        "GET",
        "/api/sensor/error",
        Device,
        "Whether a sensor (or any) has an error",
    ),
    r(
        "PUT",
        "/api/sensor/reorder",
        Admin,
        "Reorder sensors (ArPI: any device)",
    ),
    r("GET", "/api/sensortypes", User, "Sensor types"),
    r("GET", "/api/outputs/", User, "Outputs"),
    r("POST", "/api/outputs/", Admin, "Create an output"),
    r(
        "PUT",
        "/api/output/reorder",
        Admin,
        "Reorder outputs (ArPI: any device)",
    ),
    r("GET", "/api/output/{id}", Admin, "An output"),
    r("PUT", "/api/output/{id}", Admin, "Update an output"),
    r("DELETE", "/api/output/{id}", Admin, "Delete an output"),
    r(
        "PUT",
        "/api/output/{id}/activate",
        User,
        "Press a button output",
    ),
    r(
        "PUT",
        "/api/output/{id}/deactivate",
        User,
        "Release a button output",
    ),
    r("GET", "/api/keypads/", User, "Keypads"),
    r("GET", "/api/keypad/{id}", Admin, "A keypad"),
    r(
        "PUT",
        "/api/keypad/{id}",
        Admin,
        "Update or create a keypad",
    ),
    r("DELETE", "/api/keypad/{id}", Admin, "Delete a keypad"),
    r("GET", "/api/keypadtypes", Admin, "Keypad types"),
    r(
        "GET",
        "/api/config/{name}/{section}",
        Admin,
        "An option section (secrets masked)",
    ),
    r(
        "PUT",
        "/api/config/{name}/{section}",
        Admin,
        "Store an option section",
    ),
    r("GET", "/api/config/test_email", Admin, "Send a test e-mail"),
    r(
        "GET",
        "/api/config/test_webhook",
        Admin,
        "POST a test message to the webhook",
    ),
    r("GET", "/api/config/test_sms", Admin, "Send a test SMS"),
    r("GET", "/api/config/test_call", Admin, "Make a test call"),
    r(
        "GET",
        "/api/config/test_syren",
        Admin,
        "Sound the siren (duration 1–30 s, default 5)",
    ),
    r("GET", "/api/config/sms", Admin, "The modem's SMS inbox"),
    r("DELETE", "/api/config/sms/{id}", Admin, "Delete an SMS"),
    r(
        "GET",
        "/api/config/public_access",
        Admin,
        "Whether remote access has a certificate",
    ),
    r(
        "GET",
        "/api/config/installation",
        Open,
        "The domains the app may use",
    ),
    r(
        "GET",
        "/api/config/installation_id",
        Open,
        "SHA-256 of SECRET (text)",
    ),
    r(
        "GET",
        "/api/config/location_name",
        Open,
        "The location's name",
    ),
    r("GET", "/api/clock", Admin, "Time zone, time and uptimes"),
    r("PUT", "/api/clock", Admin, "Set the time zone or time"),
    r(
        "PUT",
        "/api/clock/sync",
        Admin,
        "Synchronise the clock from NTP",
    ),
    r(
        "GET",
        "/api/nodes",
        Admin,
        "Remote nodes, online or not (argus)",
    ),
    r(
        "POST",
        "/api/nodes",
        Admin,
        "Register a node → its token (argus)",
    ),
    r(
        "PUT",
        "/api/nodes/{id}",
        Admin,
        "Update a node and its inputs (argus)",
    ),
    r(
        "POST",
        "/api/nodes/{id}/token",
        Admin,
        "A new node token; the old ones revoked (argus)",
    ),
    r(
        "DELETE",
        "/api/nodes/{id}/token",
        Admin,
        "Revoke a node's tokens (argus)",
    ),
    r(
        "POST",
        "/api/nodes/{id}/events",
        Node,
        "Input changes, stored once each (argus)",
    ),
    r(
        "POST",
        "/api/nodes/{id}/heartbeat",
        Node,
        "A node's sign of life (argus)",
    ),
    r(
        "GET",
        "/api/jobs/errors",
        Admin,
        "Failed job attempts and the backlog (argus)",
    ),
    r(
        "GET",
        "/api/health/live",
        Open,
        "The process answers (argus)",
    ),
    r(
        "GET",
        "/api/health/ready",
        Open,
        "Database, monitor and job queue all right (argus)",
    ),
    r("GET", "/api/log_level", Admin, "The log filter (argus)"),
    r(
        "PUT",
        "/api/log_level",
        Admin,
        "Change the log filter of both processes (argus)",
    ),
    r(
        "POST",
        "/api/rockblock/incoming",
        Open,
        "RockBLOCK MO webhook, form or JSON (argus)",
    ),
    r(
        "POST",
        "/api/nodes/{id}/commands",
        Admin,
        "A command to a node (argus)",
    ),
    r(
        "POST",
        "/api/firmware",
        Admin,
        "A firmware bundle for nodes (argus)",
    ),
    r(
        "GET",
        "/api/firmware/{id}",
        Admin,
        "A bundle and its manifest (argus)",
    ),
    r(
        "PUT",
        "/api/firmware/{id}/files",
        Admin,
        "Store a file of a bundle (argus)",
    ),
    r(
        "POST",
        "/api/nodes/{id}/ota",
        Admin,
        "Start a node's update (argus)",
    ),
    r(
        "GET",
        "/api/nodes/{id}/ota",
        Node,
        "The node's update and manifest (argus)",
    ),
    r(
        "GET",
        "/api/nodes/{id}/ota/file",
        Node,
        "A file of the update, Range honoured (argus)",
    ),
    r(
        "POST",
        "/api/nodes/{id}/ota/complete",
        Node,
        "The update's outcome (argus)",
    ),
];
