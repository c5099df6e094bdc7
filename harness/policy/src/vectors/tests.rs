//! Tests of reading decision vectors: the fields, defaults, and problems with their places.

use super::*;

const SCP: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action":
    "ec2:CreateVolume", "Resource": "*", "Condition": {"Bool": {"ec2:Encrypted": "false"}}}}"#;

fn line(fields: &str) -> String {
    let scp = SCP.replace('\n', " ");
    format!(r#"{{"id": "V1", "scp": {scp}, {fields}}}"#)
}

/// The lines of `lines` (made by [`line`]) joined, each vector's id numbered after its line.
fn with_distinct_ids(lines: &[String]) -> String {
    let numbered: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| line.replacen("\"V1\"", &format!("\"V{}\"", index + 1), 1))
        .collect();
    numbered.join("\n")
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
        "context": {"k:a": {"x": 1}}}, "expected": "allow", "notes": 1"#,
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
    let lines = [
        line(&format!(
            r#""resource_policy": {bucket}, {request}, "expected": "Allow""#
        )),
        line(&format!(
            r#""resource_policy": {bucket}, "resource_account": "444455556666", {request},
            "expected": "Allow""#
        ))
        .replace('\n', " "),
    ];
    let text = with_distinct_ids(&lines);
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
    let lines = [
        line(&format!(r#""resource_account": "444455556666", {request}"#)),
        line(&format!(
            r#""resource_policy": {bucket}, "resource_account": "4444", {request}"#
        )),
        line(&format!(r#""resource_policy": {SCP}, {request}"#)).replace('\n', " "),
    ];
    let text = with_distinct_ids(&lines);
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

/// A vector line with id `id` that is decided `Allow`.
fn allowed_vector(id: &str) -> String {
    line(r#""request": {"action": "s3:PutObject", "resource": "*"}, "expected": "Allow""#)
        .replace("\"V1\"", &format!("\"{id}\""))
        .replace('\n', " ")
}

#[test]
fn locations_in_a_long_file_count_lines_and_characters() {
    // Blank lines, CRLF line ends, and characters of several bytes before the place of the
    // error; 20,000 vectors keep any quadratic locating out of reach of the test's time.
    let count = 20_000;
    let text: String = (0..count)
        .map(|index| format!("  {}\r\n\r\n", allowed_vector(&format!("V{index}"))))
        .collect();
    let vectors = parse_vectors("vectors.jsonl", &text).unwrap();
    assert_eq!(vectors.len(), count);
    let last = vectors.last().unwrap();
    assert_eq!(last.id, format!("V{}", count - 1));
    assert_eq!(
        last.location,
        SourceLocation {
            line: 2 * count - 1,
            column: 3
        }
    );

    let wrong = allowed_vector("\u{e9}\u{65e5}").replace("Allow", "No");
    let errors = errors(&format!("{text} {wrong}\n"));
    let [error] = errors.as_slice() else {
        panic!("one error expected: {errors:?}")
    };
    let before = wrong.get(..wrong.find("\"No\"").unwrap()).unwrap();
    assert_eq!(
        error.location(),
        SourceLocation {
            line: 2 * count + 1,
            column: before.chars().count() + 2
        }
    );
}

#[test]
fn an_expectation_spelled_otherwise_gets_the_exact_spelling_as_help() {
    let text = allowed_vector("V1").replace("Allow", "allow");
    let errors = errors(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].message(), "invalid expectation `allow`");
    assert_eq!(errors[0].label(), "expected `Allow` or `Deny`");
    assert_eq!(
        errors[0].help(),
        Some(
            "write `Allow` or `Deny` exactly so, with a capital first letter and the rest in \
             lowercase"
        )
    );
}

#[test]
fn a_file_without_vectors_is_refused() {
    for text in ["", "\n  \n\r\n"] {
        let errors = errors(text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message(), "the file has no vectors");
        assert_eq!(errors[0].location(), SourceLocation { line: 1, column: 1 });
        assert_eq!(errors[0].label(), "no vector here");
        let help = format!("write one vector a line, a JSON object with {FIELDS}");
        assert_eq!(errors[0].help(), Some(help.as_str()));
    }
    let rendered = parse_vectors("empty.jsonl", "").unwrap_err().to_string();
    assert_eq!(
        rendered,
        "invalid vector file `empty.jsonl`: the file has no vectors"
    );
}

#[test]
fn a_repeated_id_is_refused_at_its_second_use_naming_the_first() {
    let text = [
        allowed_vector("A"),
        allowed_vector("B"),
        String::new(),
        allowed_vector("A"),
        allowed_vector("A"),
    ]
    .join("\n");
    let errors = errors(&text);
    let places: Vec<(String, SourceLocation)> = errors
        .iter()
        .map(|error| (error.message().to_owned(), error.location()))
        .collect();
    let column = allowed_vector("A").find("\"A\"").unwrap() + 1;
    let message = "duplicate vector id `A`: first used on line 1".to_owned();
    assert_eq!(
        places,
        [
            (message.clone(), SourceLocation { line: 4, column }),
            (message, SourceLocation { line: 5, column }),
        ]
    );
    assert_eq!(errors[0].label(), "already the id of the vector on line 1");
    assert_eq!(errors[0].help(), Some("give each vector its own `id`"));
    let underlined = text.get(errors[0].span().offset()..).unwrap();
    assert!(underlined.starts_with("\"A\","), "{underlined}");
}

#[test]
fn requests_are_checked_as_explain_checks_them() {
    let request = |fields: &str| {
        allowed_vector("V1").replace(r#""action": "s3:PutObject", "resource": "*""#, fields)
    };
    let cases = [
        (
            r#""action": "s3:Get*", "resource": "*""#,
            r#""s3:Get*""#,
            "invalid request action `s3:Get*`: expected one action as `service:Action`, \
             without wildcards, e.g. `s3:GetObject`",
        ),
        (
            r#""action": "s3GetObject", "resource": "*""#,
            r#""s3GetObject""#,
            "invalid request action `s3GetObject`: expected one action as `service:Action`, \
             e.g. `s3:GetObject`",
        ),
        (
            r#""action": "s3:GetObject", "resource": "notarn""#,
            r#""notarn""#,
            "invalid request resource `notarn`: expected `*` or an ARN such as \
             `arn:aws:s3:::bucket/key` or `arn:aws:ec2:eu-central-1:111122223333:volume/vol-1`",
        ),
        (
            r#""action": "s3:GetObject", "resource": "*", "principal": "bogus""#,
            r#""bogus""#,
            "invalid request principal `bogus`: not an ARN: expected an IAM user or role \
             (`arn:aws:iam::111122223333:role/Name`), a role session \
             (`arn:aws:sts::111122223333:assumed-role/Name/session`), a federated user \
             (`arn:aws:sts::111122223333:federated-user/name`) or an account's root user \
             (`arn:aws:iam::111122223333:root`)",
        ),
        (
            r#""action": "s3:GetObject", "resource": "*", "context": {"bad key": "1"}"#,
            r#""bad key""#,
            "invalid context key: `bad key` is not a condition key: keys look like \
             `aws:SecureTransport` or `aws:PrincipalTag/team`",
        ),
    ];
    for (fields, underlined, message) in cases {
        let text = request(fields);
        let errors = errors(&text);
        assert_eq!(errors.len(), 1, "{text}: {errors:?}");
        assert_eq!(errors[0].message(), message);
        let at = text.find(underlined).unwrap();
        assert_eq!(errors[0].span().offset(), at, "{text}");
        assert_eq!(errors[0].span().len(), underlined.len(), "{text}");
    }
}

/// IAM User Guide, reference_policies_condition-keys.html: `aws:PrincipalArn` (the role's ARN
/// for a role session) and `aws:PrincipalAccount` are in every request of an IAM principal.
#[test]
fn principal_keys_are_derived_unless_set_or_given_as_null() {
    let with_context = |principal: &str, context: &str| {
        let text = allowed_vector("V1").replace(
            r#""resource": "*""#,
            &format!(r#""resource": "*", "principal": "{principal}", "context": {context}"#),
        );
        parse_vectors("v.jsonl", &text).unwrap().remove(0).request
    };
    let session = "arn:aws:sts::444455556666:assumed-role/Ops/bob";
    let derived = with_context(session, "{}");
    assert_eq!(derived.account_id, "444455556666");
    assert_eq!(
        derived.context.get("aws:principalarn"),
        Some(&ContextValue::Single(
            "arn:aws:iam::444455556666:role/Ops".to_owned()
        ))
    );
    assert_eq!(
        derived.context.get("aws:PrincipalAccount"),
        Some(&ContextValue::Single("444455556666".to_owned()))
    );

    let set = with_context(
        session,
        r#"{"AWS:PRINCIPALARN": "arn:aws:iam::444455556666:role/x/Ops"}"#,
    );
    assert_eq!(
        set.context.get("aws:PrincipalArn"),
        Some(&ContextValue::Single(
            "arn:aws:iam::444455556666:role/x/Ops".to_owned()
        ))
    );

    let absent = with_context(
        session,
        r#"{"aws:PrincipalArn": null, "aws:principalaccount": null}"#,
    );
    assert!(absent.context.is_empty(), "{:?}", absent.context);
}

#[test]
fn a_context_key_given_twice_in_two_letter_cases_is_refused() {
    let context = r#""context": {"aws:SecureTransport": true, "aws:securetransport": false}"#;
    let text = allowed_vector("V1").replace(
        r#""resource": "*""#,
        &format!(r#""resource": "*", {context}"#),
    );
    let errors = errors(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].message(),
        "condition key `aws:securetransport` given twice: `aws:SecureTransport` is the same key \
         in another letter case"
    );
    assert_eq!(errors[0].label(), "the same key again");
    let at = text.find(r#""aws:securetransport""#).unwrap();
    assert_eq!(errors[0].span().offset(), at);
}

#[test]
fn a_context_number_with_an_exponent_is_refused() {
    let context = r#""context": {"s3:max-keys": 1e2, "aws:MultiFactorAuthAge": [5, 2.5E1]}"#;
    let text = allowed_vector("V1").replace(
        r#""resource": "*""#,
        &format!(r#""resource": "*", {context}"#),
    );
    let errors = errors(&text);
    let messages: Vec<&str> = errors.iter().map(|error| error.message()).collect();
    assert_eq!(
        messages,
        [
            "context key `s3:max-keys`: number `1e2` written with an exponent",
            "context key `aws:MultiFactorAuthAge`: number `2.5E1` written with an exponent",
        ]
    );
    assert_eq!(errors[0].span().offset(), text.find("1e2").unwrap());
    assert_eq!(errors[0].span().len(), 3);
}

#[test]
fn a_resource_account_other_than_the_arns_is_refused() {
    let bucket_policy = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}}"#
        .replace('\n', " ");
    let text = allowed_vector("V1")
        .replace(
            r#""resource": "*""#,
            r#""resource": "arn:aws:sqs:us-east-1:111122223333:q""#,
        )
        .replace(
            r#""request""#,
            &format!(
                r#""resource_policy": {bucket_policy}, "resource_account": "444455556666", {}"#,
                r#""request""#
            ),
        );
    let errors = errors(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].message(),
        "`resource_account` `444455556666` is not the resource's account"
    );
    assert_eq!(
        errors[0].span().offset(),
        text.find(r#""444455556666""#).unwrap()
    );
}

#[test]
fn an_empty_id_is_refused() {
    for id in ["", "  ", "\u{200b}"] {
        let text = allowed_vector(id);
        let errors = errors(&text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message(), "empty vector id");
        assert_eq!(
            errors[0].span().offset(),
            text.find(&format!("\"{id}\"")).unwrap()
        );
    }
}

#[test]
fn an_id_that_does_not_print_as_itself_on_one_line_is_refused() {
    for (id, message) in [
        ("x ", "vector id with space around it"),
        (" x", "vector id with space around it"),
        ("a\\nb", "vector id with a control character"),
        ("a\\u0007", "vector id with a control character"),
    ] {
        let errors = errors(&allowed_vector(id));
        assert_eq!(errors.len(), 1, "{id}: {errors:?}");
        assert_eq!(errors[0].message(), message, "{id}");
    }
}
