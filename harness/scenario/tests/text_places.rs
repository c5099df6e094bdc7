//! Places in files with non-ASCII text, and in files that are not UTF-8 text: the message, the
//! snippet header and the accessors all give the same line and column, counted in characters.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers outside `#[test]` functions fail the test by panicking"
)]

use std::path::{Path, PathBuf};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, SourceSpan};
use scpcheck_scenario::layout::{PolicySet, PolicySetError};
use scpcheck_scenario::{
    ScenarioError, ScenarioErrorKind, ScenarioErrors, load_dir, load_scenario, parse_scenario,
};

/// A scenario file up to the line `deny_when = <rule>`, which is line 16.
const SCENARIO: &str = r#"id = "places"
description = "a scenario whose rule has non-ASCII text"

[restriction]
section = "EC2 restrictions"
text = "EBS volumes can only be created if they are encrypted"

[[operation]]
name = "ec2:CreateVolume"

[operation.params.encrypted]
values = [true, false]
absent = true

[operation.expect]
"#;

/// `diagnostic` as the command line prints it, without colour.
fn rendered(diagnostic: &dyn Diagnostic) -> String {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(400);
    let mut out = String::new();
    handler.render_report(&mut out, diagnostic).unwrap();
    out
}

fn scenario_errors(rule_line: &str) -> ScenarioErrors {
    let text = format!("{SCENARIO}{rule_line}\n");
    match parse_scenario(Path::new("scenarios/places.toml"), &text) {
        Ok(_) => panic!("the scenario loaded without problems"),
        Err(errors) => errors,
    }
}

fn only(errors: &ScenarioErrors) -> &ScenarioError {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.errors().first().unwrap()
}

#[test]
fn a_rule_syntax_error_after_non_ascii_text_has_one_column() {
    // `&` is the 20th character of the rule, which starts in column 14; counted in bytes,
    // `é日本` would move it five columns further.
    let errors = scenario_errors(r#"deny_when = 'encrypted == "é日本" & encrypted == true'"#);
    let error = only(&errors);

    assert_eq!(error.kind(), ScenarioErrorKind::RuleSyntax);
    assert_eq!((error.line(), error.column()), (Some(16), Some(33)));
    assert_eq!(error.underlined(), Some("&"));
    assert_eq!(
        error.to_string(),
        "scenarios/places.toml:16:33: unexpected character `&`"
    );
    let report = rendered(&errors);
    assert!(
        report.contains("scenarios/places.toml:16:33: unexpected character `&`"),
        "{report}"
    );
    assert!(report.contains("[scenarios/places.toml:16:33]"), "{report}");
    assert!(
        report.contains("help: join comparisons with `and`"),
        "{report}"
    );
}

#[test]
fn a_non_ascii_parameter_name_is_placed_and_underlined_in_characters() {
    let errors = scenario_errors(r#"deny_when = "encrypted == true or 日本 is absent""#);
    let error = only(&errors);

    assert_eq!(error.kind(), ScenarioErrorKind::UndeclaredParameter);
    assert_eq!(error.underlined(), Some("日本"));
    assert_eq!(
        error.to_string(),
        "scenarios/places.toml:16:35: rule names undeclared parameter `日本`"
    );
    let report = rendered(&errors);
    assert!(report.contains("[scenarios/places.toml:16:35]"), "{report}");
}

/// A directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("scpcheck-places-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file whose second line holds the byte 0xFF after `before`: `first` and a newline, then
/// `before`, 0xFF and `after`.
fn with_invalid_byte(first: &str, before: &str, after: &str) -> Vec<u8> {
    let mut bytes = format!("{first}\n{before}").into_bytes();
    bytes.push(0xFF);
    bytes.extend_from_slice(after.as_bytes());
    bytes
}

#[test]
fn a_scenario_file_that_is_not_utf8_is_reported_with_its_place() {
    let dir = TempDir::new("scenario");
    let bytes = with_invalid_byte("id = \"places\"", "description = \"né ", "\"\n");
    let path = dir.write("bad.toml", &bytes);

    let errors = load_scenario(&path).unwrap_err();
    let error = only(&errors);
    assert_eq!(error.kind(), ScenarioErrorKind::NotUtf8);
    assert_eq!((error.line(), error.column()), (Some(2), Some(19)));
    assert_eq!(
        error.to_string(),
        format!(
            "{}:2:19: not UTF-8 text: invalid byte 0xFF at byte offset 33",
            path.display()
        )
    );
    assert_eq!(error.help_text(), Some("save the file as UTF-8 text"));
    assert_eq!(error.underlined(), Some("\u{FFFD}"));
    let report = rendered(&errors);
    assert!(
        report.contains(&format!("[{}:2:19]", path.display())),
        "{report}"
    );
    assert!(report.contains("not UTF-8"), "{report}");

    let from_dir = load_dir(&dir.0).unwrap_err();
    assert_eq!(only(&from_dir).to_string(), error.to_string());
}

/// A policy directory whose layout attaches `FullAWSAccess` and the policy `guard`.
fn policy_dir(name: &str, layout: &[u8], guard: &[u8]) -> TempDir {
    let dir = TempDir::new(name);
    dir.write("layout.toml", layout);
    dir.write("guard.json", guard);
    dir
}

const LAYOUT: &str = "[root]\npolicies = [\"FullAWSAccess\", \"guard\"]\n\n\
                      [account]\nname = \"workloads\"\npolicies = [\"FullAWSAccess\"]\n";

const GUARD: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Deny", "Action": "ec2:*", "Resource": "*" }]
}"#;

/// The messages of the problems of the layout in `dir`, which must all be layout problems.
fn layout_messages(dir: &Path) -> Vec<String> {
    PolicySet::load(dir)
        .unwrap_err()
        .iter()
        .map(|error| match error {
            PolicySetError::Layout(problem) => problem.message.clone(),
            other => panic!("a layout error expected: {other:?}"),
        })
        .collect()
}

fn only_set_error(dir: &Path) -> PolicySetError {
    let mut errors = PolicySet::load(dir).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.remove(0)
}

#[test]
fn a_layout_file_that_is_not_utf8_is_reported_with_its_place() {
    let layout = with_invalid_byte("[root]", "policies = [\"日本", "\"]\n");
    let dir = policy_dir("layout", &layout, GUARD.as_bytes());
    let path = dir.0.join("layout.toml");

    let error = only_set_error(&dir.0);
    assert!(matches!(error, PolicySetError::NotUtf8(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "`{}`: not UTF-8 text: invalid byte 0xFF at line 2, column 16 (byte offset 26)",
            path.display()
        )
    );
    let report = rendered(&error);
    assert!(
        report.contains(&format!("[{}:2:16]", path.display())),
        "{report}"
    );
    assert!(
        report.contains("help: save the file as UTF-8 text"),
        "{report}"
    );
}

#[test]
fn a_policy_file_that_is_not_utf8_is_reported_with_its_place() {
    let guard = with_invalid_byte("{", "  \"Version\": \"2012-10-17\", ", "\n}\n");
    let dir = policy_dir("policy", LAYOUT.as_bytes(), &guard);
    let path = dir.0.join("guard.json");

    let error = only_set_error(&dir.0);
    assert_eq!(
        error.to_string(),
        format!(
            "`{}`: not UTF-8 text: invalid byte 0xFF at line 2, column 28 (byte offset 29)",
            path.display()
        )
    );
    let report = rendered(&error);
    assert!(
        report.contains(&format!("[{}:2:28]", path.display())),
        "{report}"
    );
}

#[test]
fn layout_problems_after_non_ascii_text_have_their_header_in_characters() {
    let layout = LAYOUT.replace("\"FullAWSAccess\", \"guard\"", "\"guard\", \"日本/x\"");
    let dir = policy_dir("names", layout.as_bytes(), GUARD.as_bytes());
    let path = dir.0.join("layout.toml");

    let error = only_set_error(&dir.0);
    assert!(
        error.to_string().contains("`日本/x` is not a policy name"),
        "{error}"
    );
    let report = rendered(&error);
    assert!(
        report.contains(&format!("[{}:2:22]", path.display())),
        "{report}"
    );
}

#[test]
fn a_level_without_a_policy_is_refused_at_its_table() {
    let layout = "[root]\npolicies = [\"FullAWSAccess\"]\n\n[[organizational_unit]]\n\
                  name = \"empty\"\npolicies = []\n\n[account]\nname = \"a\"\n\
                  organizational_unit = \"empty\"\npolicies = [\"guard\"]\n";
    let dir = policy_dir("empty-level", layout.as_bytes(), GUARD.as_bytes());
    let error = only_set_error(&dir.0);
    let PolicySetError::Layout(problem) = &error else {
        panic!("a layout error expected: {error:?}");
    };
    assert_eq!(problem.message, "OU `empty` has no policy attached");
    let at = layout.find("\"empty\"").unwrap();
    assert_eq!(
        problem.span,
        Some(SourceSpan::from(at..at + "\"empty\"".len()))
    );
    assert!(
        problem
            .help
            .as_deref()
            .is_some_and(|help| help.contains("`FullAWSAccess`")),
        "{problem:?}"
    );

    let account_empty = LAYOUT.replace("policies = [\"FullAWSAccess\"]\n", "policies = []\n");
    let dir = policy_dir("empty-account", account_empty.as_bytes(), GUARD.as_bytes());
    let error = only_set_error(&dir.0);
    assert!(
        error
            .to_string()
            .ends_with("the account has no policy attached"),
        "{error}"
    );
}

#[test]
fn every_problem_of_a_layout_is_reported_at_once() {
    let layout = "[root]\npolicies = [\"FullAWSAccess\", \"missing\", \"a/b\"]\n\n\
                  [[organizational_unit]]\nname = \"prod\"\nparent = \"nowhere\"\n\
                  policies = []\n\n[account]\nname = \"a\"\norganizational_unit = \"nope\"\n\
                  policies = [\"guard\", \"guard\"]\n";
    let dir = policy_dir("all-problems", layout.as_bytes(), GUARD.as_bytes());
    let messages = layout_messages(&dir.0);
    let missing = dir.0.join("missing.json");
    assert_eq!(
        messages,
        [
            format!("no policy file `{}` for `missing`", missing.display()),
            "`a/b` is not a policy name".to_owned(),
            "`guard` is attached twice to the same target".to_owned(),
            "OU `prod` has no policy attached".to_owned(),
            "OU `prod` names an unknown parent `nowhere`".to_owned(),
            "the account is placed in an unknown OU `nope`".to_owned(),
        ]
    );
}

#[test]
fn a_layout_aws_organizations_could_not_have_is_refused() {
    let six = "\"FullAWSAccess\", \"guard\", \"g2\", \"g3\", \"g4\", \"g5\"";
    let unit = |name: &str, parent: Option<&str>| {
        let parent = parent.map(|parent| format!("parent = \"{parent}\"\n"));
        format!(
            "[[organizational_unit]]\nname = \"{name}\"\n{}policies = [\"FullAWSAccess\"]\n\n",
            parent.unwrap_or_default()
        )
    };
    let mut layout = format!("[root]\npolicies = [{six}]\n\n");
    layout += &unit("a", Some("b"));
    layout += &unit("b", None);
    layout += &unit("b", None);
    for (child, parent) in [
        ("c1", "b"),
        ("c2", "c1"),
        ("c3", "c2"),
        ("c4", "c3"),
        ("c5", "c4"),
    ] {
        layout += &unit(child, Some(parent));
    }
    layout += "[account]\nname = \"x\"\norganizational_unit = \"b\"\n\
               policies = [\"FullAWSAccess\"]\n";
    let dir = policy_dir("quota", layout.as_bytes(), GUARD.as_bytes());
    for name in ["g2", "g3", "g4", "g5"] {
        dir.write(&format!("{name}.json"), GUARD.as_bytes());
    }
    let messages = layout_messages(&dir.0);
    assert_eq!(
        messages,
        [
            "the root has 6 SCPs attached; AWS Organizations attaches at most 5 to a root, OU \
             or account",
            "OU `a` names parent `b`, declared after it",
            "OU `b` is declared twice",
            "OU `c5` lies 6 levels deep; AWS Organizations nests OUs at most 5 deep under the root",
        ]
    );
}

#[test]
fn an_scp_organizations_would_refuse_is_named_as_an_scp() {
    let twice = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "A", "Effect": "Deny", "Action": "ec2:*", "Resource": "*"},
  {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}"#;
    let dir = policy_dir("refused", LAYOUT.as_bytes(), twice.as_bytes());
    let error = only_set_error(&dir.0);
    assert!(matches!(error, PolicySetError::Refused(_)), "{error:?}");
    let path = dir.0.join("guard.json");
    assert_eq!(
        error.to_string(),
        format!(
            "invalid SCP `{}`: AWS Organizations would refuse it: duplicate `Sid` `A`",
            path.display()
        )
    );
}

#[test]
fn a_problem_underlines_its_own_value_when_another_has_the_same_text() {
    let layout = "[root]\npolicies = [\"FullAWSAccess\", \"FullAWSAccess\"]\n\n\
                  [account]\nname = \"a\"\npolicies = [\"FullAWSAccess\", \"guard\"]\n";
    let dir = policy_dir("same-text", layout.as_bytes(), GUARD.as_bytes());
    let error = only_set_error(&dir.0);
    let PolicySetError::Layout(problem) = &error else {
        panic!("a layout error expected: {error:?}");
    };
    assert_eq!(
        problem.message,
        "`FullAWSAccess` is attached twice to the same target"
    );
    let second = layout.find(", \"FullAWSAccess\"").unwrap() + 2;
    assert_eq!(
        problem.span,
        Some(SourceSpan::from(second..second + "\"FullAWSAccess\"".len()))
    );
}

#[test]
fn a_policy_with_problems_is_reported_with_those_of_the_layout() {
    let layout = "[root]\npolicies = [\"FullAWSAccess\", \"guard\", \"missing\"]\n\n\
                  [account]\nname = \"a\"\npolicies = [\"FullAWSAccess\"]\n";
    let dir = policy_dir("both", layout.as_bytes(), b"{\"Version\": \"2012-10-17\",}");
    let errors = PolicySet::load(&dir.0).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        matches!(&errors[0], PolicySetError::Layout(problem)
            if problem.message.starts_with("no policy file")),
        "{errors:#?}"
    );
    assert!(
        matches!(&errors[1], PolicySetError::Policy { name, .. } if name == "guard"),
        "{errors:#?}"
    );
}
