//! Tests of reading decision vectors: the fields, defaults, and problems with their places.

use super::*;

const SCP: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action":
    "ec2:CreateVolume", "Resource": "*", "Condition": {"Bool": {"ec2:Encrypted": "false"}}}}"#;

fn line(fields: &str) -> String {
    let scp = SCP.replace('\n', " ");
    format!(r#"{{"id": "V1", "scp": {scp}, {fields}}}"#)
}

fn errors(text: &str) -> Vec<VectorError> {
    parse_vectors("vectors.jsonl", text)
        .unwrap_err()
        .errors()
        .to_vec()
}

#[test]
fn full_aws_access_parses() {
    let policy = Policy::parse(FULL_AWS_ACCESS, FULL_AWS_ACCESS_TEXT).unwrap();
    assert_eq!(*full_aws_access(), policy);
}

#[test]
fn reads_fields_and_fills_defaults() {
    let text = format!(
        "\n{}\n",
        line(
            r#""request": {"action": "ec2:CreateVolume", "resource": "*", "context":
            {"ec2:Encrypted": "false", "aws:TagKeys": ["a", "b"], "ec2:VolumeSize": 10,
            "aws:SecureTransport": true}}, "expected": "Deny", "why": "unencrypted",
            "aws_doc": "https://example.invalid/doc""#
        )
        .replace('\n', " ")
    );
    let vectors = parse_vectors("vectors.jsonl", &text).unwrap();
    let [vector] = vectors.as_slice() else {
        panic!("one vector expected: {vectors:?}")
    };
    assert_eq!(vector.id, "V1");
    assert_eq!(vector.location, SourceLocation { line: 2, column: 1 });
    assert_eq!(vector.request.principal_arn, DEFAULT_PRINCIPAL);
    assert_eq!(vector.request.account_id, MEMBER_ACCOUNT);
    let context = &vector.request.context;
    assert_eq!(
        context.get("aws:tagkeys"),
        Some(&ContextValue::Multi(vec!["a".into(), "b".into()]))
    );
    assert_eq!(
        context.get("ec2:VolumeSize"),
        Some(&ContextValue::Single("10".into()))
    );
    assert_eq!(
        context.get("aws:SecureTransport"),
        Some(&ContextValue::Single("true".into()))
    );
    assert_eq!(vector.why.as_deref(), Some("unencrypted"));
    assert_eq!(vector.aws_doc, ["https://example.invalid/doc"]);
    assert!(vector.identity.is_none());

    let outcome = evaluate_vector(vector);
    assert_eq!(outcome.decision, Decision::Deny);
    assert!(outcome.matches());
    assert!(outcome.explanation.starts_with("scp decision: deny"));
}

#[test]
fn an_identity_policy_takes_part_and_the_principal_names_the_account() {
    let identity = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Action": "s3:*", "Resource": "*"}}"#
        .replace('\n', " ");
    let text = line(&format!(
        r#""identity": {identity}, "request": {{"action": "ec2:CreateVolume",
        "resource": "*", "principal": "arn:aws:iam::444455556666:role/Other"}},
        "expected": "Deny""#
    ))
    .replace('\n', " ");
    let vectors = parse_vectors("vectors.jsonl", &text).unwrap();
    let vector = &vectors[0];
    assert_eq!(vector.request.account_id, "444455556666");
    let outcome = evaluate_vector(vector);
    assert!(outcome.matches(), "{}", outcome.explanation);
    assert!(
        outcome
            .explanation
            .contains("implicit deny: no identity policy allows"),
        "{}",
        outcome.explanation
    );
}

#[test]
fn reports_json_problems_with_line_and_column() {
    let text = format!("{}\n{{\"id\": \"V2\",, }}\n", line(r#""expected": "Deny""#));
    let errors = errors(&text);
    let messages: Vec<_> = errors
        .iter()
        .map(|error| (error.location().line, error.message()))
        .collect();
    assert_eq!(
        messages,
        [
            (1, "vector has no `request`"),
            (2, "invalid JSON: unexpected `,`")
        ]
    );
    assert_eq!(
        errors[1].location(),
        SourceLocation {
            line: 2,
            column: 13
        }
    );
}

#[test]
fn reports_problems_inside_an_embedded_policy_at_their_place() {
    let text = concat!(
        r#"{"id": "V3", "scp": {"Version": "2012-10-17", "Statement": "#,
        r#"{"Effect": "Block", "Action": "*"}}, "#,
        r#""request": {"action": "s3:PutObject", "resource": "*"}, "expected": "Allow"}"#
    );
    let errors = errors(&format!("\n{text}"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message(), "invalid `scp`: invalid effect `Block`");
    let column = text.find("\"Block\"").unwrap() + 1;
    assert_eq!(errors[0].location(), SourceLocation { line: 2, column });
    assert_eq!(errors[0].label(), "expected `Allow` or `Deny`");
}

#[test]
fn refuses_unknown_fields_bad_expectations_and_bad_context_values() {
    let text = line(
        r#""request": {"action": "s3:PutObject", "resource": "*", "contxt": {},
        "context": {"k:a": null}}, "expected": "allow", "notes": 1"#,
    )
    .replace('\n', " ");
    let messages: Vec<String> = errors(&text)
        .iter()
        .map(|error| error.message().to_owned())
        .collect();
    assert_eq!(
        messages,
        [
            "unknown request field `contxt`",
            "invalid value of context key `k:a`",
            "invalid expectation `allow`",
            "unknown vector field `notes`",
        ]
    );
}

#[test]
fn a_line_that_is_not_an_object_is_refused() {
    let errors = errors("[1, 2]\n");
    assert_eq!(errors[0].message(), "a vector must be a JSON object");
    assert_eq!(errors[0].location(), SourceLocation { line: 1, column: 1 });
}

const BUCKET_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
    "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}}"#;

#[test]
fn a_resource_policy_takes_part_with_its_account() {
    let bucket = BUCKET_POLICY.replace('\n', " ");
    let request = r#""request": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}"#;
    let text = [
        line(&format!(
            r#""resource_policy": {bucket}, {request}, "expected": "Allow""#
        )),
        line(&format!(
            r#""resource_policy": {bucket}, "resource_account": "444455556666", {request},
            "expected": "Allow""#
        ))
        .replace('\n', " "),
    ]
    .join("\n");
    let vectors = parse_vectors("vectors.jsonl", &text).unwrap();
    // The S3 ARN names no account: the resource is the principal's.
    let within = vectors[0].resource_policy.as_ref().unwrap();
    assert_eq!(within.account_id(), MEMBER_ACCOUNT);
    assert_eq!(within.policy().kind(), PolicyKind::ResourceBased);
    let across = vectors[1].resource_policy.as_ref().unwrap();
    assert_eq!(across.account_id(), "444455556666");
    for vector in &vectors {
        let outcome = evaluate_vector(vector);
        assert!(outcome.matches(), "{}", outcome.explanation);
        assert!(
            outcome
                .explanation
                .contains("resource-based policy (resource in account")
        );
    }
}

#[test]
fn refuses_a_resource_account_alone_or_malformed_and_a_policy_without_principal() {
    let bucket = BUCKET_POLICY.replace('\n', " ");
    let request = r#""request": {"action": "s3:GetObject", "resource": "*"}, "expected": "Deny""#;
    let text = [
        line(&format!(r#""resource_account": "444455556666", {request}"#)),
        line(&format!(
            r#""resource_policy": {bucket}, "resource_account": "4444", {request}"#
        )),
        line(&format!(r#""resource_policy": {SCP}, {request}"#)).replace('\n', " "),
    ]
    .join("\n");
    let found: Vec<(String, usize)> = errors(&text)
        .iter()
        .map(|error| (error.message().to_owned(), error.location().line))
        .collect();
    assert_eq!(
        found,
        [
            ("`resource_account` without `resource_policy`".to_owned(), 1),
            (
                "invalid `resource_account`: `4444` is not an account id: expected 12 digits"
                    .to_owned(),
                2
            ),
            (
                "invalid `resource_policy`: statement of a resource-based policy has no \
                 `Principal`"
                    .to_owned(),
                3
            ),
        ]
    );
}
