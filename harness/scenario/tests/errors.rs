//! Problems in scenario files: every one is reported, with its message, help, line and column.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers outside `#[test]` functions fail the test by panicking"
)]

use std::path::{Path, PathBuf};

use scpcheck_scenario::{
    ScenarioError, ScenarioErrorKind, ScenarioErrors, load_dir, parse_scenario,
};

/// A problem as a test states it: `line:column`, message, help and the underlined text.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    at: String,
    message: String,
    help: Option<String>,
    underlined: String,
}

fn seen(error: &ScenarioError) -> Seen {
    Seen {
        at: format!("{}:{}", error.line().unwrap(), error.column().unwrap()),
        message: error.message().to_owned(),
        help: error.help_text().map(str::to_owned),
        underlined: error.underlined().unwrap().to_owned(),
    }
}

fn expect_seen(at: &str, message: &str, help: Option<&str>, underlined: &str) -> Seen {
    Seen {
        at: at.to_owned(),
        message: message.to_owned(),
        help: help.map(str::to_owned),
        underlined: underlined.to_owned(),
    }
}

fn errors(text: &str) -> ScenarioErrors {
    match parse_scenario(Path::new("scenarios/bad.toml"), text) {
        Ok(scenario) => panic!("`{}` loaded without problems", scenario.id),
        Err(errors) => errors,
    }
}

fn problems(text: &str) -> Vec<Seen> {
    errors(text).iter().map(seen).collect()
}

/// The only problem of `text`.
fn problem(text: &str) -> Seen {
    let mut all = problems(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

const HEADER: &str = r#"id = "bad"
description = "a scenario with problems"

[restriction]
section = "EC2 restrictions"
text = "EBS volumes can only be created if they are encrypted"
"#;

/// A whole file: the header, then `operations`.
fn file(operations: &str) -> String {
    format!("{HEADER}\n{operations}")
}

const VOLUME: &str = r#"[[operation]]
name = "ec2:CreateVolume"

[operation.params.encrypted]
values = [true, false]
absent = true
"#;

#[test]
fn a_valid_file_loads() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = \"encrypted != true\"\n"
    ));
    let scenario = parse_scenario(Path::new("scenarios/ok.toml"), &text).unwrap();

    assert_eq!(scenario.id, "bad");
    assert_eq!(scenario.source_text(), text);
    assert_eq!(scenario.operations.len(), 1);
    assert_eq!(
        scenario.operations[0].deny_when().source(),
        "encrypted != true"
    );
}

#[test]
fn toml_syntax_errors_are_reported_with_their_place() {
    let errors = errors("id = \"bad\"\ndescription = \n");

    let error = &errors.errors()[0];
    assert_eq!(error.kind(), ScenarioErrorKind::Syntax);
    assert!(
        error.message().starts_with("invalid TOML: "),
        "{}",
        error.message()
    );
    assert_eq!((error.line(), error.column()), (Some(2), Some(15)));
    assert!(
        error
            .to_string()
            .starts_with("scenarios/bad.toml:2:15: invalid TOML: ")
    );
}

#[test]
fn every_unknown_field_is_reported_at_once() {
    let text = file(&format!(
        "{VOLUME}color = \"red\"\n\n[operation.expect]\ndeny_when = \"encrypted != true\"\n\
         deny = true\n"
    ))
    .replace("[restriction]\n", "[restriction]\nsource = \"doc\"\n")
    .replace("id = \"bad\"\n", "id = \"bad\"\nversion = 2\n");

    assert_eq!(
        problems(&text),
        vec![
            expect_seen(
                "2:1",
                "unknown field `version` in the top level table",
                Some("expected one of `id`, `description`, `restriction`, `operation`"),
                "version",
            ),
            expect_seen(
                "6:1",
                "unknown field `source` in `[restriction]`",
                Some("expected one of `section`, `text`"),
                "source",
            ),
            expect_seen(
                "16:1",
                "unknown field `color` in `[operation.params.encrypted]`",
                Some("expected one of `values`, `absent`, `other`"),
                "color",
            ),
            expect_seen(
                "20:1",
                "unknown field `deny` in `[operation.expect]`",
                Some("expected one of `deny_when`"),
                "deny",
            ),
        ]
    );
}

#[test]
fn missing_fields_point_at_their_table() {
    let text =
        "[restriction]\nsection = \"S3 restrictions\"\n\n[[operation]]\nname = \"s3:GetObject\"\n";

    assert_eq!(
        problems(text),
        vec![
            expect_seen(
                "1:1",
                "missing field `id` in the top level table",
                Some("add `id = ...` to the top level table"),
                "",
            ),
            expect_seen(
                "1:1",
                "missing field `description` in the top level table",
                Some("add `description = ...` to the top level table"),
                "",
            ),
            expect_seen(
                "1:1",
                "missing field `text` in `[restriction]`",
                Some("add `text = ...` to `[restriction]`"),
                "[restriction]",
            ),
            expect_seen(
                "4:1",
                "missing field `expect` in `[[operation]]`",
                Some("add `expect = ...` to `[[operation]]`"),
                "[[operation]]",
            ),
        ]
    );
}

#[test]
fn wrong_types_and_bad_ids_are_reported() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = false\n"
    ))
    .replace("id = \"bad\"", "id = \"Bad_Id\"")
    .replace(
        "description = \"a scenario with problems\"",
        "description = 7",
    );

    assert_eq!(
        problems(&text),
        vec![
            expect_seen(
                "1:6",
                "scenario id `Bad_Id` is not lowercase words joined by `-`",
                Some("use letters `a`-`z`, digits and single `-`, e.g. `ebs-volumes-encrypted`"),
                "\"Bad_Id\"",
            ),
            expect_seen(
                "2:15",
                "`description` must be a string, found an integer",
                None,
                "7"
            ),
            expect_seen(
                "16:13",
                "`deny_when` must be a string, found a boolean",
                None,
                "false"
            ),
        ]
    );
}

#[test]
fn an_unknown_operation_lists_the_known_ones() {
    let text = file(
        "[[operation]]\nname = \"ec2:CreateVolumes\"\n\n\
         [operation.expect]\ndeny_when = \"x == 1\"\n",
    );

    let seen = problem(&text);
    assert_eq!(seen.at, "9:8");
    assert_eq!(seen.message, "unknown operation `ec2:CreateVolumes`");
    assert_eq!(seen.underlined, "\"ec2:CreateVolumes\"");
    let help = seen.help.unwrap();
    assert!(help.starts_with("known operations: `ec2:RunInstances`, `ec2:CreateVolume`, "));
    assert!(
        help.ends_with("`elasticfilesystem:CreateFileSystem`"),
        "{help}"
    );
}

#[test]
fn a_rule_naming_an_undeclared_parameter_points_inside_the_rule() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = 'encrypted != true or volume_type == \"io1\"'\n"
    ));

    assert_eq!(
        problem(&text),
        expect_seen(
            "16:35",
            "rule names undeclared parameter `volume_type`",
            Some("declare it under `[operation.params.volume_type]`"),
            "volume_type",
        )
    );
}

#[test]
fn a_rule_naming_an_unknown_parameter_lists_the_declarable_ones() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = \"encrypted != true\"\n\n\
         [[operation.accepted_gap]]\nwhen = \"\"\"\nvolume_id is present or kms == 1\"\"\"\n\
         reason = \"r\"\n"
    ));

    assert_eq!(
        problems(&text),
        vec![
            expect_seen(
                "20:1",
                "rule names undeclared parameter `volume_id`",
                Some(
                    "parameters of `ec2:CreateVolume`: `encrypted`, `volume_type`, `size`, \
                     `iops`, `transport`"
                ),
                "volume_id",
            ),
            expect_seen(
                "20:25",
                "rule names undeclared parameter `kms`",
                Some(
                    "parameters of `ec2:CreateVolume`: `encrypted`, `volume_type`, `size`, \
                     `iops`, `transport`"
                ),
                "kms",
            ),
        ]
    );
}

#[test]
fn a_rule_naming_an_id_says_ids_cannot_be_tested() {
    let text = file(
        "[[operation]]\nname = \"s3:GetObject\"\n\n\
         [operation.expect]\ndeny_when = \"bucket is present\"\n",
    );

    assert_eq!(
        problem(&text),
        expect_seen(
            "12:14",
            "rule names undeclared parameter `bucket`",
            Some("`bucket` identifies a resource; rules can only test declared parameters"),
            "bucket",
        )
    );
}

#[test]
fn rule_values_of_the_wrong_type_are_reported() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\n\
         deny_when = 'encrypted != \"true\" or transport == \"ftp\"'\n"
    ));

    assert_eq!(
        problems(&text),
        vec![
            expect_seen(
                "16:27",
                "`encrypted` is a boolean parameter, compared with a string",
                Some("write `true` without quotes"),
                "\"true\"",
            ),
            expect_seen(
                "16:50",
                "unknown transport `ftp`",
                Some("`transport` is `\"http\"` or `\"https\"`"),
                "\"ftp\"",
            ),
        ]
    );
}

#[test]
fn rule_syntax_errors_point_inside_the_rule() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = \"encrypted = true\"\n"
    ));

    assert_eq!(
        problem(&text),
        expect_seen(
            "16:24",
            "unexpected character `=`",
            Some("compare with `==`"),
            "="
        )
    );
}

#[test]
fn a_rule_with_escapes_underlines_the_whole_string() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = \"encrypted == \\\"x\\\"\"\n"
    ));

    let seen = problem(&text);
    assert_eq!(seen.at, "16:13");
    assert_eq!(
        seen.message,
        "`encrypted` is a boolean parameter, compared with a string"
    );
    assert_eq!(seen.underlined, "\"encrypted == \\\"x\\\"\"");
}

#[test]
fn parameter_domains_are_checked_against_the_catalogue() {
    let text = file(
        r#"[[operation]]
name = "ec2:CreateSnapshot"

[operation.params.source_volume_encrypted]
values = [true, "false", true]
absent = true

[operation.params.volume_id]
values = ["vol-1"]

[operation.params.kms_key]
values = ["k"]

[operation.params.transport]
values = ["https", "HTTP"]
other = "x+"

[operation.expect]
deny_when = "source_volume_encrypted == false"
"#,
    );

    assert_eq!(
        problems(&text),
        vec![
            expect_seen(
                "18:19",
                "unknown parameter `kms_key` for `ec2:CreateSnapshot`",
                Some("parameters of `ec2:CreateSnapshot`: `source_volume_encrypted`, `transport`"),
                "kms_key",
            ),
            expect_seen(
                "12:17",
                "`source_volume_encrypted` is a boolean parameter, found a string value",
                Some("every value of `source_volume_encrypted` must be a boolean"),
                "\"false\"",
            ),
            expect_seen(
                "12:26",
                "value `true` of `source_volume_encrypted` is listed twice",
                None,
                "true",
            ),
            expect_seen(
                "13:10",
                "`source_volume_encrypted` is sent with every `ec2:CreateSnapshot` call and \
                 cannot be absent",
                Some("remove `absent = true`"),
                "true",
            ),
            expect_seen(
                "22:20",
                "unknown transport `HTTP`",
                Some("`transport` is `\"http\"` or `\"https\"`"),
                "\"HTTP\"",
            ),
            expect_seen(
                "23:9",
                "`other` is not allowed for `transport`",
                Some("`other` draws random strings, for string parameters other than `transport`"),
                "\"x+\"",
            ),
            expect_seen(
                "15:19",
                "`volume_id` identifies a resource and cannot be declared",
                Some("ids are filled in at run time, from fixtures or from the request"),
                "volume_id",
            ),
        ]
    );
}

#[test]
fn empty_domains_bad_regexes_and_missing_required_parameters_are_reported() {
    let text = file(
        r#"[[operation]]
name = "rds:CreateDBInstance"

[operation.params.storage_encrypted]
absent = false

[operation.params.size]
values = [1]

[operation.expect]
deny_when = "storage_encrypted != true"

[[operation]]
name = "s3:PutObject"

[operation.params.sse]
other = "[a-z"

[operation.expect]
deny_when = 'sse like "aws*"'
"#,
    );

    assert_eq!(
        problems(&text),
        vec![
            expect_seen(
                "14:19",
                "unknown parameter `size` for `rds:CreateDBInstance`",
                Some(
                    "parameters of `rds:CreateDBInstance`: `engine`, `storage_encrypted`, \
                     `transport`"
                ),
                "size",
            ),
            expect_seen(
                "11:19",
                "parameter `storage_encrypted` has no values to try",
                Some("give it `values`, `absent = true` or an `other` regular expression"),
                "storage_encrypted",
            ),
            expect_seen(
                "9:8",
                "`rds:CreateDBInstance` needs parameter `engine`",
                Some("declare `[operation.params.engine]` with the values to try"),
                "\"rds:CreateDBInstance\"",
            ),
            expect_seen(
                "24:9",
                "`other` of `sse` is not a usable regular expression",
                Some("unclosed character class"),
                "\"[a-z\"",
            ),
        ]
    );
}

#[test]
fn like_needs_a_string_parameter() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = 'encrypted like \"t*\"'\n"
    ));

    assert_eq!(
        problem(&text),
        expect_seen(
            "16:14",
            "`like` needs a string parameter, `encrypted` is a boolean",
            None,
            "encrypted",
        )
    );
}

#[test]
fn operations_must_be_an_array_of_tables() {
    let text = file("[operation]\nname = \"s3:GetObject\"\n");

    assert_eq!(
        problem(&text),
        expect_seen(
            "8:1",
            "`operation` must be an array of tables, found a table",
            Some("write `[[operation]]` for each entry"),
            "[operation]",
        )
    );
}

#[test]
fn accepted_gaps_need_a_rule_and_a_reason() {
    let text = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = \"encrypted != true\"\n\n\
         [[operation.accepted_gap]]\nwhen = \"encrypted is absent\"\nreason = \" \"\nsince = 1\n"
    ));

    assert_eq!(
        problems(&text),
        vec![
            expect_seen(
                "21:1",
                "unknown field `since` in `[[operation.accepted_gap]]`",
                Some("expected one of `when`, `reason`"),
                "since",
            ),
            expect_seen("20:10", "`reason` must not be empty", None, "\" \""),
        ]
    );
}

#[test]
fn errors_render_with_file_line_and_label() {
    let errors = errors(&file(
        "[[operation]]\nname = \"ec2:Nope\"\n[operation.expect]\ndeny_when = \"a == 1\"\n",
    ));

    let mut rendered = String::new();
    miette::NarratableReportHandler::new()
        .render_report(&mut rendered, &errors)
        .unwrap();
    assert!(
        rendered.contains("1 problem in `scenarios/bad.toml`"),
        "{rendered}"
    );
    assert!(
        rendered.contains("scenarios/bad.toml:9:8: unknown operation `ec2:Nope`"),
        "{rendered}"
    );
    assert!(rendered.contains("not in the catalogue"), "{rendered}");
    assert!(rendered.contains("known operations:"), "{rendered}");
}

/// A directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("scpcheck-scenario-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).unwrap();
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_directory_reports_every_file_and_duplicate_ids() {
    let dir = TempDir::new("duplicates");
    let valid = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = \"encrypted != true\"\n"
    ));
    dir.write("a.toml", &valid);
    dir.write("b.toml", &valid);
    dir.write("c.toml", "id = \n");
    dir.write("notes.txt", "not a scenario");

    let errors = load_dir(&dir.0).unwrap_err();

    let described: Vec<(String, ScenarioErrorKind)> = errors
        .iter()
        .map(|error| {
            let file = error
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (file, error.kind())
        })
        .collect();
    assert_eq!(
        described,
        vec![
            ("c.toml".to_owned(), ScenarioErrorKind::Syntax),
            ("b.toml".to_owned(), ScenarioErrorKind::DuplicateId),
        ]
    );
    let duplicate = &errors.errors()[1];
    assert_eq!(
        duplicate.message(),
        format!(
            "scenario id `bad` is also used by `{}`",
            dir.0.join("a.toml").display()
        )
    );
    assert_eq!((duplicate.line(), duplicate.column()), (Some(1), Some(6)));
    assert_eq!(errors.to_string(), "2 problems in 2 scenario files");
}

#[test]
fn a_directory_loads_sorted_by_id() {
    let dir = TempDir::new("sorted");
    let volume = file(&format!(
        "{VOLUME}\n[operation.expect]\ndeny_when = \"encrypted != true\"\n"
    ));
    dir.write("1.toml", &volume.replace("id = \"bad\"", "id = \"zeta\""));
    dir.write("2.toml", &volume.replace("id = \"bad\"", "id = \"alpha\""));

    let scenarios = load_dir(&dir.0).unwrap();

    let ids: Vec<&str> = scenarios
        .iter()
        .map(|scenario| scenario.id.as_str())
        .collect();
    assert_eq!(ids, vec!["alpha", "zeta"]);
}

#[test]
fn missing_and_empty_directories_are_reported() {
    let dir = TempDir::new("empty");
    let empty = load_dir(&dir.0).unwrap_err();
    assert_eq!(
        empty.errors()[0].message(),
        "no scenario files (`*.toml`) in the directory"
    );
    assert_eq!(empty.errors()[0].line(), None);

    let missing = load_dir(&dir.0.join("absent")).unwrap_err();
    assert_eq!(missing.errors()[0].kind(), ScenarioErrorKind::Io);
    assert!(
        missing.errors()[0]
            .message()
            .starts_with("cannot read scenario directory: ")
    );
}
