//! CORS for the web app served from another origin (development without
//! nginx, the mobile build), configured once, here: nginx passes requests
//! through and adds no header of its own. Every `OPTIONS` request
//! (preflight or ArPI's start-up probe of `/api/version`) answers 204, and a
//! response to an `Origin` on the allow-list (`ARGUS_CORS_ORIGINS`; ArPI's
//! nginx list by default) allows that origin and exposes `User-Token`; any
//! other origin gets no CORS header, so browsers keep its pages out.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::HttpResponse;

/// The origins whose pages may call the API: hosts (`localhost`), or
/// `*.domain` for a domain and its subdomains; any port, http or https.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<String>);

impl Default for AllowedOrigins {
    /// ArPI's nginx allow-list (`snippets/cors.conf`).
    fn default() -> Self {
        Self(
            [
                "localhost",
                "127.0.0.1",
                "*.arpi.local",
                "app.arpi-security.info",
            ]
            .map(str::to_owned)
            .to_vec(),
        )
    }
}

impl std::str::FromStr for AllowedOrigins {
    type Err = std::convert::Infallible;

    /// Comma-separated hosts and `*.domain` patterns.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(
            s.split(',')
                .map(|p| p.trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
        ))
    }
}

impl AllowedOrigins {
    /// Whether a page at `origin` (`scheme://host[:port]`) may call the API.
    pub fn allows(&self, origin: &str) -> bool {
        let Some(rest) = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
        else {
            return false;
        };
        let host = match rest.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => rest,
        }
        .to_ascii_lowercase();
        if host.is_empty() || host.contains('/') {
            return false;
        }
        self.0.iter().any(|p| match p.strip_prefix("*.") {
            Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
            None => host == *p,
        })
    }
}

fn allow(headers: &mut HeaderMap, origin: Option<HeaderValue>, allowed: &AllowedOrigins) {
    let origin = origin.filter(|o| o.to_str().is_ok_and(|o| allowed.allows(o)));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("User-Token"),
        );
    }
}

/// The middleware (`from_fn`).
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let allowed = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|s| s.config.cors_origins.clone())
        .unwrap_or_else(|| AllowedOrigins(Vec::new()));
    if req.method() == Method::OPTIONS {
        let mut response = HttpResponse::NoContent();
        response
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_METHODS,
                "GET, POST, PUT, DELETE, OPTIONS",
            ))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "Authorization, Content-Type",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"));
        let mut response = response.finish();
        allow(response.headers_mut(), origin, &allowed);
        return Ok(req.into_response(response));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    allow(res.headers_mut(), origin, &allowed);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_matches_hosts_and_domains_on_any_port() {
        let a = AllowedOrigins::default();
        for ok in [
            "http://localhost:4200",
            "https://localhost",
            "https://arpi.local",
            "https://home.arpi.local:8443",
            "https://app.arpi-security.info",
            "http://127.0.0.1:8080",
        ] {
            assert!(a.allows(ok), "{ok}");
        }
        for no in [
            "http://evil.example",
            "https://arpi.local.evil.example",
            "https://evilarpi.local",
            "null",
            "file://",
            "http://localhost.evil.example:4200",
        ] {
            assert!(!a.allows(no), "{no}");
        }
        let own: AllowedOrigins = "alarm.example.org, *.lan".parse().unwrap();
        assert!(own.allows("https://alarm.example.org") && own.allows("http://pi.lan:81"));
        assert!(!own.allows("http://localhost:4200"));
    }
}
