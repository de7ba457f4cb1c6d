//! Every compile error the derives can emit, with its reviewed `.stderr`.
//! Refresh the snapshots with `TRYBUILD=overwrite cargo test --test ui`, then
//! review the diff like code.

#[test]
fn ui() {
    // Bless would rewrite the guard fixtures under tests/ui/pages instead of
    // testing them.
    assert!(
        std::env::var_os("TELEMETRY_BLESS").is_none(),
        "unset TELEMETRY_BLESS to run the UI tests"
    );
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
