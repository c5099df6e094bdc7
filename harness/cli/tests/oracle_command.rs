//! `scpcheck oracle` when Node.js cannot be found: the documented exit code and a help line.

use std::process::Command;

#[test]
fn without_node_the_oracle_is_unavailable() {
    let cache = std::env::temp_dir().join(format!("scpcheck-oracle-cli-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_scpcheck"))
        .args(["oracle", "--cases", "1", "--seed", "7"])
        .env("PATH", "")
        .env("SCPCHECK_CACHE_DIR", &cache)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&cache);

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("seed 7 (rerun with `--seed 7`)"),
        "{stdout}"
    );
    assert!(stderr.contains("error: `node` was not found"), "{stderr}");
    assert!(
        stderr.contains("help: install Node.js 20 or newer"),
        "{stderr}"
    );
}
