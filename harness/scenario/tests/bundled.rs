//! The scenario files shipped in `scenarios/` load without problems and say what the source
//! document says.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "helpers outside `#[test]` functions fail the test by panicking"
)]

use std::path::{Path, PathBuf};

use scpcheck_policy::Decision::{Allow, Deny};
use scpcheck_scenario::{ParamValue, Params, Scenario, ScenarioOperation, load_dir};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn bundled() -> Vec<Scenario> {
    match load_dir(&scenarios_dir()) {
        Ok(scenarios) => scenarios,
        Err(errors) => {
            let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("bundled scenarios have problems:\n{}", all.join("\n"))
        }
    }
}

fn operation<'a>(scenarios: &'a [Scenario], id: &str, name: &str) -> &'a ScenarioOperation {
    let scenario = scenarios.iter().find(|scenario| scenario.id == id).unwrap();
    scenario
        .operations
        .iter()
        .find(|operation| operation.name() == name)
        .unwrap()
}

fn case(pairs: &[(&str, ParamValue)]) -> Params {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}

#[test]
fn every_bundled_scenario_loads() {
    let scenarios = bundled();

    let ids: Vec<&str> = scenarios
        .iter()
        .map(|scenario| scenario.id.as_str())
        .collect();
    assert_eq!(
        ids,
        vec![
            "ec2-instance-root-volume-encrypted",
            "ec2-volumes-and-snapshots-encrypted",
            "efs-file-system-encrypted",
            "rds-aurora-instance-encrypted",
            "rds-cluster-create-encrypted",
            "rds-cluster-restore-from-s3-encrypted",
            "s3-put-object-encryption-header",
            "s3-secure-transport",
        ]
    );
}

/// The restrictions of the source document, "Encryption enforcement", by section, word for word.
const DOCUMENT_RESTRICTIONS: [(&str, &str); 8] = [
    (
        "EC2 restrictions",
        "EC2 instances can only be created if the root volume is encrypted",
    ),
    (
        "EC2 restrictions",
        "EBS volumes and EBS snapshots can only be created if they are encrypted",
    ),
    (
        "EFS restrictions",
        "MPS enforces that EFS creation is only possible with encryption enabled.",
    ),
    (
        "RDS restrictions",
        "RDS Aurora instance can only be created if it is encrypted by default",
    ),
    (
        "RDS restrictions",
        "RDS cluster can only be created if it is encrypted by default",
    ),
    (
        "RDS restrictions",
        "RDS cluster can only be restored from S3 if it is encrypted by default",
    ),
    (
        "S3 restrictions",
        "Objects can only be uploaded to S3 if the header `s3:x-amz-server-side-encryption` is \
         present",
    ),
    (
        "S3 restrictions",
        "S3 actions can only be executed if secure transport is enabled via bucket policy",
    ),
];

#[test]
fn every_restriction_is_quoted_from_the_source_document() {
    let quoted: Vec<(&str, &str)> = bundled()
        .iter()
        .map(|scenario| {
            (
                scenario.restriction.section.as_str(),
                scenario.restriction.text.as_str(),
            )
        })
        .map(|(section, text)| {
            let known = DOCUMENT_RESTRICTIONS
                .iter()
                .find(|quote| **quote == (section, text));
            *known.unwrap_or_else(|| panic!("not in the document: {section}: {text}"))
        })
        .collect();

    assert_eq!(quoted, DOCUMENT_RESTRICTIONS.to_vec());
}

#[test]
fn every_scenario_file_is_named_after_its_id() {
    for scenario in bundled() {
        let stem = scenario
            .source_path
            .file_stem()
            .and_then(|stem| stem.to_str());
        assert_eq!(stem, Some(scenario.id.as_str()));
    }
}

// The S3 upload header, with the SCP statement's decision beside the expectation:
//
// | transport | sse            | expected | statement (one block, AND) | verdict            |
// |-----------|----------------|----------|----------------------------|--------------------|
// | https     | AES256/aws:kms | allow    | allow                      | conforms           |
// | https     | absent         | deny     | deny                       | conforms           |
// | https     | aws:kms:dsse   | deny     | allow                      | accepted gap       |
// | https     | other string   | deny     | allow                      | accepted gap       |
// | http      | anything       | deny     | deny (secure transport)    | conforms           |
#[test]
fn the_upload_header_decision_table() {
    let scenarios = bundled();
    let put = operation(
        &scenarios,
        "s3-put-object-encryption-header",
        "s3:PutObject",
    );
    let https = ("transport", ParamValue::from("https"));
    let http = ("transport", ParamValue::from("http"));

    let kms = case(&[https.clone(), ("sse", "aws:kms".into())]);
    assert_eq!(put.expected(&kms), Allow);
    let absent = case(std::slice::from_ref(&https));
    assert_eq!(put.expected(&absent), Deny);
    assert!(put.accepted_gap(&absent).is_none());
    for sse in ["aws:kms:dsse", "x9:"] {
        let present = case(&[https.clone(), ("sse", sse.into())]);
        assert_eq!(put.expected(&present), Deny, "{sse}");
        assert!(put.accepted_gap(&present).is_some(), "{sse}");
    }
    let plain = case(&[http, ("sse", "AES256".into())]);
    assert_eq!(put.expected(&plain), Deny);
    assert!(put.accepted_gap(&plain).is_none());
}

// Aurora instances, with the SCP statement's decision beside the expectation:
//
// | engine           | storage_encrypted | expected | statement | verdict                 |
// |------------------|-------------------|----------|-----------|-------------------------|
// | aurora*          | true              | allow    | allow     | conforms                |
// | aurora*          | false / absent    | deny     | allow     | accepted gap (excluded) |
// | mysql, postgres  | false             | allow    | deny      | accepted gap (stricter) |
// | mysql, postgres  | true / absent     | allow    | allow     | conforms                |
// | docdb            | any               | allow    | allow     | conforms                |
#[test]
fn the_aurora_instance_decision_table() {
    let scenarios = bundled();
    let create = operation(
        &scenarios,
        "rds-aurora-instance-encrypted",
        "rds:CreateDBInstance",
    );
    let with = |engine: &str, encrypted: Option<bool>| {
        let mut params = case(&[("engine", engine.into()), ("transport", "https".into())]);
        if let Some(encrypted) = encrypted {
            params.insert("storage_encrypted".to_owned(), encrypted.into());
        }
        params
    };

    assert_eq!(create.expected(&with("aurora-mysql", Some(true))), Allow);
    for encrypted in [Some(false), None] {
        let case = with("aurora-postgresql", encrypted);
        assert_eq!(create.expected(&case), Deny);
        assert!(
            create
                .accepted_gap(&case)
                .unwrap()
                .reason
                .contains("excludes the engines")
        );
    }
    let stricter = with("mysql", Some(false));
    assert_eq!(create.expected(&stricter), Allow);
    assert!(
        create
            .accepted_gap(&stricter)
            .unwrap()
            .reason
            .contains("stricter")
    );
    assert_eq!(create.expected(&with("postgres", None)), Allow);
    assert_eq!(create.expected(&with("docdb", Some(false))), Allow);
    assert!(create.accepted_gap(&with("docdb", Some(false))).is_none());
}

#[test]
fn clusters_without_storage_encryption_are_an_accepted_gap() {
    let scenarios = bundled();
    for (id, name) in [
        ("rds-cluster-create-encrypted", "rds:CreateDBCluster"),
        (
            "rds-cluster-restore-from-s3-encrypted",
            "rds:RestoreDBClusterFromS3",
        ),
    ] {
        let operation = operation(&scenarios, id, name);
        let absent = case(&[
            ("engine", "aurora-mysql".into()),
            ("transport", "https".into()),
        ]);
        let mut unencrypted = absent.clone();
        unencrypted.insert("storage_encrypted".to_owned(), false.into());

        assert_eq!(operation.expected(&absent), Deny, "{id}");
        assert!(operation.accepted_gap(&absent).is_some(), "{id}");
        assert_eq!(operation.expected(&unencrypted), Deny, "{id}");
        assert!(operation.accepted_gap(&unencrypted).is_none(), "{id}");
    }
}

#[test]
fn scenarios_without_a_transport_run_over_https_only() {
    let scenarios = bundled();
    let run = operation(
        &scenarios,
        "ec2-instance-root-volume-encrypted",
        "ec2:RunInstances",
    );

    let transport = run.params().get("transport").unwrap();
    assert_eq!(transport.values(), &[ParamValue::from("https")]);
    assert!(!transport.absent());
}

#[test]
fn a_scenario_serializes_with_its_rules_as_written() {
    let scenarios = bundled();
    let scenario = scenarios
        .iter()
        .find(|s| s.id == "rds-cluster-create-encrypted")
        .unwrap();

    let json = serde_json::to_value(scenario).unwrap();

    assert_eq!(json["id"], "rds-cluster-create-encrypted");
    assert_eq!(json["restriction"]["section"], "RDS restrictions");
    let operation = &json["operations"][0];
    assert_eq!(operation["name"], "rds:CreateDBCluster");
    assert_eq!(operation["deny_when"], "storage_encrypted != true");
    assert_eq!(
        operation["accepted_gaps"][0]["when"],
        "storage_encrypted is absent"
    );
    assert_eq!(
        operation["params"]["storage_encrypted"]["param_type"],
        "bool"
    );
    assert_eq!(
        operation["params"]["storage_encrypted"]["values"],
        serde_json::json!([true, false])
    );
    assert_eq!(
        operation["params"]["transport"]["values"],
        serde_json::json!(["https"])
    );
}

/// The table of operations in `scenarios/README.md` names every operation of the catalogue,
/// and each with every parameter a scenario may declare and its type, so the two cannot drift.
#[test]
fn the_scenarios_readme_lists_the_catalogue() {
    use scpcheck_scenario::catalogue::{ParamType, operations};

    let readme = std::fs::read_to_string(scenarios_dir().join("README.md")).unwrap();
    for operation in operations() {
        let row = readme
            .lines()
            .find(|line| line.starts_with('|') && line.contains(&format!("`{}`", operation.name)))
            .unwrap_or_else(|| panic!("no table row names `{}`", operation.name));
        for param in operation.params.iter().filter(|param| !param.is_id) {
            let kind = match param.param_type {
                ParamType::Bool => "bool",
                ParamType::Int => "integer",
                ParamType::Str => "string",
            };
            assert!(
                row.contains(&format!("`{}` ({kind}", param.name)),
                "`{}`: `{}` ({kind}) missing from: {row}",
                operation.name,
                param.name
            );
        }
    }
}
