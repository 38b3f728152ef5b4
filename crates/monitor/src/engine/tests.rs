//! Engine tests: ArPI's zone profiles (test_with_v3, live_01) in both modes,
//! timing to the millisecond, and every argus rule. Virtual time only.

mod edges;
/// Also drives the engine in other modules' tests (telemetry rules).
pub(crate) mod fixtures;
mod properties;
mod rules;
mod zones;

/// The engine stays pure: no runtime, storage, network, clock or logging.
#[test]
fn engine_sources_use_no_io() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let mut files = vec![dir.with_extension("rs")];
    files.extend(
        std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs") && !p.ends_with("tests.rs")),
    );
    let forbidden = [
        "tokio",
        "diesel",
        "std::fs",
        "std::net",
        "std::io",
        "SystemTime",
        "Instant::",
        "tracing::",
        "std::thread",
        "rand::",
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for word in forbidden {
            assert!(!code.contains(word), "{} uses {word}", file.display());
        }
    }
}
