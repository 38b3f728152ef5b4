//! `/api/openapi.json`, generated from the route table
//! ([`crate::routes::table`]) and the route modules' body and query types.
//! Tests check the table against the handlers in `routes/` (both ways), so
//! the table, the document and the authorisation matrix cannot drift.

mod document;
pub mod schemas;

pub use document::document;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::table::ROUTES;
    use serde_json::json;
    use std::collections::BTreeSet;

    /// `(METHOD, /api/path)` of every handler attribute in `src/routes/`,
    /// with regex constraints removed (`{id:\d+}` → `{id}`).
    fn handlers() -> BTreeSet<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/routes");
        let mut found = BTreeSet::new();
        for file in sources(dir.as_ref()) {
            let text = std::fs::read_to_string(file).unwrap();
            for line in text.lines().map(str::trim) {
                for method in ["get", "post", "put", "delete", "patch", "head"] {
                    let Some(rest) = line.strip_prefix(&format!("#[{method}(\"")) else {
                        continue;
                    };
                    let path = rest.split('"').next().unwrap().replace(":\\\\d+", "");
                    found.insert((method.to_ascii_uppercase(), format!("/api{path}")));
                }
            }
        }
        found
    }

    /// Every `.rs` file under `dir`, in subfolders too.
    fn sources(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }

    #[test]
    fn every_detail_names_a_route_and_the_document_carries_it() {
        for d in schemas::DETAILS {
            assert!(
                ROUTES
                    .iter()
                    .any(|r| r.method == d.method && r.path == d.path),
                "{} {} is not in ROUTES",
                d.method,
                d.path
            );
        }
        let doc = document("test");
        let post = &doc["paths"]["/api/sensors/"]["post"];
        let body = &post["requestBody"]["content"]["application/json"]["schema"];
        assert!(body["properties"]["zoneId"].is_object(), "{body}");
        let arms = doc["paths"]["/api/arms"]["get"]["parameters"]
            .as_array()
            .unwrap();
        assert!(arms
            .iter()
            .any(|p| p["name"] == "has_alert" && p["in"] == "query"));
        let listed = &doc["paths"]["/api/sensors/"]["get"]["responses"]["200"];
        assert_eq!(
            listed["content"]["application/json"]["schema"]["type"],
            "array"
        );
        let section = &doc["paths"]["/api/config/{name}/{section}"]["put"]["parameters"][1];
        assert!(section["schema"]["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("smtp")));
    }

    #[test]
    fn every_handler_is_in_the_table_and_every_entry_has_a_handler() {
        let table: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        assert_eq!(table.len(), ROUTES.len(), "duplicate entries");
        let handlers = handlers();
        let missing: Vec<_> = handlers.difference(&table).collect();
        let extra: Vec<_> = table.difference(&handlers).collect();
        assert!(
            missing.is_empty(),
            "handlers missing from ROUTES: {missing:?}"
        );
        assert!(extra.is_empty(), "ROUTES without a handler: {extra:?}");
    }

    #[test]
    fn no_route_is_registered_outside_the_attribute_macros() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut files = sources(format!("{dir}/routes").as_ref());
        files.push(std::path::PathBuf::from(dir).join("routes.rs"));
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for needle in [".route(", "web::resource(", ".to(handle"] {
                assert!(!text.contains(needle), "{} uses {needle}", file.display());
            }
        }
    }

    #[test]
    fn the_document_lists_every_route_once() {
        let doc = document("v0");
        let count: usize = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|m| m.as_object().unwrap().len())
            .sum();
        assert_eq!(count, ROUTES.len());
        assert_eq!(
            doc["paths"]["/api/user/{id}"]["put"]["parameters"][0]["name"],
            "id"
        );
        assert_eq!(doc["openapi"], "3.0.3");
    }
}
