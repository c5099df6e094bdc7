//! `scpcheck run --target reference` as the built binary: what its summary and `results.json`
//! say about an interrupted run, the cases the summary leaves out, and accepted gaps that no
//! case needed.
#![expect(
    clippy::unwrap_used,
    reason = "a binary that cannot be run, or that a signal ends, fails the test"
)]

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use scpcheck_cli::exit_codes;

/// The repository root, where the bundled `scenarios/` and `policies/` are.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh directory for one test's `--out`.
fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn scpcheck_run(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scpcheck"));
    command
        .args(["run", "--target", "reference"])
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG");
    command
}

fn run(args: &[&str]) -> Output {
    scpcheck_run(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn results_json(dir: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn an_interrupted_run_says_which_operations_are_incomplete_or_not_run() {
    let dir = out_dir("run-summary-interrupted");
    let out = dir.to_str().unwrap();
    // 100,000 cases for each of the 11 bundled operations take far longer than the second
    // this test waits before stopping the run.
    let mut child = scpcheck_run(&["--cases", "100000", "--seed", "1", "--out", out])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    reader.read_line(&mut first_line).unwrap();
    assert!(
        first_line.starts_with("scpcheck run: seed 1"),
        "{first_line}"
    );
    // The first line comes before the signal handlers are set up; they are ready within
    // milliseconds after it.
    std::thread::sleep(Duration::from_secs(1));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();

    assert_eq!(status.code(), Some(exit_codes::INTERRUPTED), "{rest}");
    assert!(
        rest.contains("\ninterrupted: the results are partial\n"),
        "{rest}"
    );
    let results = results_json(&dir);
    assert_eq!(results["interrupted"], true);
    let scenarios = results["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 11, "every operation is listed, run or not");
    let last = scenarios.last().unwrap();
    assert_eq!(last["complete"], false);
    assert_eq!(last["cases"].as_array().unwrap().len(), 0);
    // Each operation cut short has its line: how far it got, or that it did not run.
    for scenario in scenarios
        .iter()
        .filter(|scenario| scenario["complete"] == false)
    {
        let name = format!(
            "{} {}",
            scenario["id"].as_str().unwrap(),
            scenario["operation"].as_str().unwrap()
        );
        let ran = scenario["cases"].as_array().unwrap().len();
        let line = if ran == 0 {
            format!("\n  not run: {name}\n")
        } else {
            assert!(ran < 100_000, "{name}: {ran} cases ran");
            format!("\n  incomplete: {name} ({ran} cases ran)\n")
        };
        assert!(rest.contains(&line), "{line:?} in {rest}");
    }
}

#[test]
fn a_whole_run_is_marked_complete() {
    let dir = out_dir("run-summary-complete");
    let output = run(&[
        "--cases",
        "40",
        "--seed",
        "3",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(exit_codes::SUCCESS), "{text}");
    assert!(!text.contains("interrupted"), "{text}");

    let results = results_json(&dir);
    assert_eq!(results["interrupted"], false);
    for scenario in results["scenarios"].as_array().unwrap() {
        assert_eq!(scenario["complete"], true, "{}", scenario["id"]);
    }

    // Each denied case names what denied it; an allowed case names nothing.
    let volumes = results["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|scenario| scenario["operation"] == "ec2:CreateVolume")
        .unwrap();
    let mut denied = 0;
    for case in volumes["cases"].as_array().unwrap() {
        if case["reference"] == "deny" && case["params"]["encrypted"] == false {
            denied += 1;
            assert_eq!(
                case["reference_denied_by"],
                serde_json::json!([
                    "volume: statement `DenyUnencryptedEc2Storage` of `deny-unencrypted-ec2` at \
                     organizational unit `ou-tenants`"
                ]),
                "{case}"
            );
        }
        if case["reference"] == "allow" {
            assert!(case.get("reference_denied_by").is_none(), "{case}");
        }
    }
    assert!(denied > 0, "no unencrypted volume among {volumes}");
}

/// A scenario that accepts no gap where the bundled SCPs have one, with many distinct failing
/// parameter combinations.
const UNACCEPTED_GAPS: &str = "harness/cli/tests/data/run-unaccepted-gaps";
const OUT_HINT: &str = "`--out DIR` writes every case to results.json";

#[test]
fn the_summary_suggests_out_only_when_it_was_not_given() {
    let dir = out_dir("run-summary-out-hint");
    let with_out = run(&[
        "--scenarios",
        UNACCEPTED_GAPS,
        "--seed",
        "5",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let text = stdout(&with_out);
    assert_eq!(
        with_out.status.code(),
        Some(exit_codes::CONFORMANCE_FAILURE)
    );
    assert!(
        text.contains("  s3-put-object-known-header s3:PutObject: 6 more combinations (6 cases)\n"),
        "{text}"
    );
    assert!(!text.contains(OUT_HINT), "{text}");

    let without_out = run(&["--scenarios", UNACCEPTED_GAPS, "--seed", "5"]);
    let text = stdout(&without_out);
    let counted = "  s3-put-object-known-header s3:PutObject: 6 more combinations (6 cases)";
    assert!(text.contains(&format!("{counted}; {OUT_HINT}\n")), "{text}");
}

#[test]
fn an_accepted_gap_that_no_case_needed_is_a_warning() {
    let scenarios = "harness/cli/tests/data/run-unneeded-gap";
    let output = run(&["--scenarios", scenarios, "--seed", "5"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(exit_codes::SUCCESS), "{text}");
    let warning = format!(
        "\nwarning: {scenarios}/s3-get-object-over-https.toml: s3:GetObject: the accepted gap \
         `transport == \"https\"` matched no policy gap in 32 cases\n"
    );
    let table_end = text.find("\ntotal ").unwrap();
    let warned = text.find(&warning);
    assert!(warned.is_some_and(|at| at > table_end), "{text}");
}
