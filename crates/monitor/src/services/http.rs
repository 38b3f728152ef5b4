//! The one way the monitor makes HTTP requests (the webhook, Rock7's MT
//! API): a blocking ureq agent with an overall timeout, no redirects (a
//! redirect could carry a secret elsewhere), and statuses as values.

use std::time::Duration;

/// An agent whose every request ends within `timeout`.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}
