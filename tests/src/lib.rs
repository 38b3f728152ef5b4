//! Cross-process tests of argus live in tests/.
