//! Tests of each condition operator, on present, absent and multi-valued keys.

use super::*;
use crate::Policy;

/// The single condition of `"Condition": {operator: {key: values}}` under `version`.
fn condition_in(version: &str, operator: &str, key: &str, values: &str) -> Condition {
    let text = format!(
        r#"{{"Version": "{version}", "Statement": {{"Effect": "Deny", "Action": "*",
            "Resource": "*", "Condition": {{"{operator}": {{"{key}": {values}}}}}}}}}"#
    );
    let policy = Policy::parse("test.json", &text).unwrap();
    policy.statements()[0].conditions()[0].clone()
}

fn condition(operator: &str, key: &str, values: &str) -> Condition {
    condition_in("2012-10-17", operator, key, values)
}

fn single(pairs: &[(&str, &str)]) -> Context {
    let mut context = Context::new();
    for (key, value) in pairs {
        context.insert_single(*key, *value);
    }
    context
}

fn multi(key: &str, values: &[&str]) -> Context {
    let mut context = Context::new();
    let values = values.iter().map(|value| (*value).to_owned()).collect();
    context.insert(key, ContextValue::Multi(values));
    context
}

const KEY: &str = "s3:x-amz-server-side-encryption";

#[test]
fn string_equals_is_exact_and_ors_its_values() {
    let equals = condition("StringEquals", KEY, r#"["AES256", "aws:kms"]"#);
    assert!(equals.evaluate(&single(&[(KEY, "aws:kms")])));
    assert!(!equals.evaluate(&single(&[(KEY, "aes256")])));
    assert!(!equals.evaluate(&Context::new()), "absent key is false");
    assert!(equals.evaluate(&multi(KEY, &["x", "AES256"])));
    assert!(!equals.evaluate(&multi(KEY, &[])));
}

#[test]
fn string_not_equals_holds_on_absent_key_and_compares_case_sensitively() {
    let not_equals = condition("StringNotEquals", KEY, r#"["AES256", "aws:kms"]"#);
    assert!(
        not_equals.evaluate(&Context::new()),
        "negated operator on absent key"
    );
    assert!(not_equals.evaluate(&single(&[(KEY, "aes256")])));
    assert!(not_equals.evaluate(&single(&[(KEY, "aws:kms:dsse")])));
    assert!(!not_equals.evaluate(&single(&[(KEY, "AES256")])));
    assert!(!not_equals.evaluate(&multi(KEY, &["x", "AES256"])));
    assert!(not_equals.evaluate(&multi(KEY, &["x", "y"])));
    assert!(not_equals.evaluate(&multi(KEY, &[])));
}

#[test]
fn condition_keys_are_case_insensitive() {
    let equals = condition("StringEquals", "AWS:SecureTransport", r#""true""#);
    assert!(equals.evaluate(&single(&[("aws:securetransport", "true")])));
}

#[test]
fn ignore_case_variants() {
    let equals = condition("StringEqualsIgnoreCase", KEY, r#""AES256""#);
    assert!(equals.evaluate(&single(&[(KEY, "aes256")])));
    assert!(!equals.evaluate(&Context::new()));
    let not_equals = condition("StringNotEqualsIgnoreCase", KEY, r#""AES256""#);
    assert!(!not_equals.evaluate(&single(&[(KEY, "aes256")])));
    assert!(not_equals.evaluate(&single(&[(KEY, "aws:kms")])));
    assert!(not_equals.evaluate(&Context::new()));
}

#[test]
fn string_like_and_not_like() {
    let engine = "rds:DatabaseEngine";
    let like = condition("StringLike", engine, r#"["aurora*", "docdb"]"#);
    assert!(like.evaluate(&single(&[(engine, "aurora-mysql")])));
    assert!(like.evaluate(&single(&[(engine, "docdb")])));
    assert!(!like.evaluate(&single(&[(engine, "mysql")])));
    assert!(
        !like.evaluate(&single(&[(engine, "Aurora-mysql")])),
        "case-sensitive"
    );
    assert!(!like.evaluate(&Context::new()));
    let not_like = condition("StringNotLike", engine, r#"["aurora*", "docdb"]"#);
    assert!(not_like.evaluate(&single(&[(engine, "postgres")])));
    assert!(!not_like.evaluate(&single(&[(engine, "aurora-postgresql")])));
    assert!(not_like.evaluate(&Context::new()));
    let single_char = condition("StringLike", engine, r#""gp?""#);
    assert!(single_char.evaluate(&single(&[(engine, "gp3")])));
    assert!(!single_char.evaluate(&single(&[(engine, "gp")])));
}

#[test]
fn bool_takes_strings_and_json_booleans() {
    let key = "ec2:Encrypted";
    for values in [r#""false""#, "false", r#"["false"]"#, r#""FALSE""#] {
        let bool_false = condition("Bool", key, values);
        assert!(bool_false.evaluate(&single(&[(key, "false")])), "{values}");
        assert!(!bool_false.evaluate(&single(&[(key, "true")])), "{values}");
        assert!(
            !bool_false.evaluate(&Context::new()),
            "absent key is false: {values}"
        );
        assert!(
            !bool_false.evaluate(&single(&[(key, "AES256")])),
            "{values}"
        );
    }
    let bool_true = condition("Bool", "aws:SecureTransport", "true");
    assert!(bool_true.evaluate(&single(&[("aws:SecureTransport", "TRUE")])));
    let unreadable = condition("Bool", key, r#""no""#);
    assert!(!unreadable.evaluate(&single(&[(key, "false")])));
}

#[test]
fn null_tests_presence() {
    let absent = condition("Null", KEY, "true");
    assert!(absent.evaluate(&Context::new()));
    assert!(!absent.evaluate(&single(&[(KEY, "AES256")])));
    let present = condition("Null", KEY, r#""false""#);
    assert!(!present.evaluate(&Context::new()));
    assert!(present.evaluate(&single(&[(KEY, "AES256")])));
    assert!(!present.evaluate(&multi(KEY, &[])), "an empty set is null");
    assert!(absent.evaluate(&multi(KEY, &[])));
    assert!(present.evaluate(&multi(KEY, &["AES256"])));
}

#[test]
fn if_exists_holds_on_absent_key() {
    let key = "ec2:Encrypted";
    let if_exists = condition("BoolIfExists", key, r#""false""#);
    assert!(if_exists.evaluate(&Context::new()));
    assert!(if_exists.evaluate(&single(&[(key, "false")])));
    assert!(!if_exists.evaluate(&single(&[(key, "true")])));
    let not_equals = condition("StringNotEqualsIfExists", key, r#""x""#);
    assert!(not_equals.evaluate(&Context::new()));
    assert!(!not_equals.evaluate(&single(&[(key, "x")])));
}

#[test]
fn for_all_values() {
    let key = "aws:TagKeys";
    let all = condition("ForAllValues:StringEquals", key, r#"["a", "b"]"#);
    assert!(all.evaluate(&Context::new()), "absent key is true");
    assert!(all.evaluate(&multi(key, &[])), "empty set is true");
    assert!(all.evaluate(&multi(key, &["a", "b"])));
    assert!(!all.evaluate(&multi(key, &["a", "c"])));
    assert!(all.evaluate(&single(&[(key, "a")])));
    let all_not = condition("ForAllValues:StringNotEquals", key, r#"["a"]"#);
    assert!(all_not.evaluate(&multi(key, &["b", "c"])));
    assert!(!all_not.evaluate(&multi(key, &["a", "c"])));
}

#[test]
fn for_any_value() {
    let key = "aws:TagKeys";
    let any = condition("ForAnyValue:StringEquals", key, r#"["a", "b"]"#);
    assert!(!any.evaluate(&Context::new()), "absent key is false");
    assert!(!any.evaluate(&multi(key, &[])));
    assert!(any.evaluate(&multi(key, &["c", "b"])));
    assert!(!any.evaluate(&multi(key, &["c", "d"])));
    let any_not = condition("ForAnyValue:StringNotEquals", key, r#"["a"]"#);
    assert!(
        !any_not.evaluate(&Context::new()),
        "absent key is false even when negated"
    );
    assert!(any_not.evaluate(&multi(key, &["a", "c"])));
    assert!(!any_not.evaluate(&multi(key, &["a"])));
    let any_if_exists = condition("ForAnyValue:StringEqualsIfExists", key, r#""a""#);
    assert!(any_if_exists.evaluate(&Context::new()));
}

#[test]
fn numeric_operators() {
    let key = "ec2:VolumeSize";
    let cases = [
        ("NumericEquals", "100", true, false),
        ("NumericNotEquals", "100", false, true),
        ("NumericLessThan", "200", true, false),
        ("NumericLessThanEquals", "100", true, false),
        ("NumericGreaterThan", "99.5", true, false),
        ("NumericGreaterThanEquals", "101", false, false),
    ];
    for (operator, policy, at_100, when_absent) in cases {
        let numeric = condition(operator, key, &format!(r#""{policy}""#));
        assert_eq!(
            numeric.evaluate(&single(&[(key, "100")])),
            at_100,
            "{operator}"
        );
        assert_eq!(numeric.evaluate(&Context::new()), when_absent, "{operator}");
    }
    let json_number = condition("NumericLessThan", key, "1.2");
    assert!(json_number.evaluate(&single(&[(key, "1.1")])));
}

/// IAM User Guide, reference_policies_elements_condition_operators.html: each operator family
/// compares values of its own type (numbers, dates, booleans, base64, addresses, ARNs), and
/// AWS documents no comparison with a value of another type; so a value the operator cannot
/// read matches nothing, under a negated operator too, which holds only for values that could
/// be compared and differ.
#[test]
fn unreadable_values_never_match() {
    let key = "ec2:VolumeSize";
    let bad_policy = condition("NumericEquals", key, r#""5abc""#);
    assert!(!bad_policy.evaluate(&single(&[(key, "5")])));
    let bad_policy_negated = condition("NumericNotEquals", key, r#""5abc""#);
    assert!(!bad_policy_negated.evaluate(&single(&[(key, "5")])));
    let negated = condition("NumericNotEquals", key, r#""5""#);
    assert!(!negated.evaluate(&single(&[(key, "five")])));
    assert!(negated.evaluate(&single(&[(key, "6")])));
    let date = condition("DateNotEquals", "aws:CurrentTime", r#""tomorrow""#);
    assert!(!date.evaluate(&single(&[("aws:CurrentTime", "2020-01-01T00:00:00Z")])));
}

#[test]
fn date_operators_read_iso_8601_and_epoch_seconds() {
    let key = "aws:CurrentTime";
    let before = condition("DateLessThan", key, r#""2020-01-01T00:00:00Z""#);
    assert!(before.evaluate(&single(&[(key, "2019-12-31T23:59:59Z")])));
    assert!(!before.evaluate(&single(&[(key, "2020-01-01T00:00:00Z")])));
    assert!(before.evaluate(&single(&[(key, "1577836799")])));
    let epoch = condition("DateGreaterThanEquals", key, r#""1577836800""#);
    assert!(epoch.evaluate(&single(&[(key, "2020-01-01")])));
    assert!(!epoch.evaluate(&Context::new()));
    let equals = condition("DateEquals", key, r#""2020-01-01T01:00:00+01:00""#);
    assert!(equals.evaluate(&single(&[(key, "2020-01-01T00:00:00Z")])));
}

#[test]
fn ip_address_operators() {
    let key = "aws:SourceIp";
    let inside = condition("IpAddress", key, r#"["203.0.113.0/24", "2001:DB8::/32"]"#);
    assert!(inside.evaluate(&single(&[(key, "203.0.113.9")])));
    assert!(inside.evaluate(&single(&[(key, "2001:db8::1")])));
    assert!(!inside.evaluate(&single(&[(key, "198.51.100.1")])));
    assert!(!inside.evaluate(&Context::new()));
    let outside = condition("NotIpAddress", key, r#""203.0.113.0/24""#);
    assert!(outside.evaluate(&single(&[(key, "198.51.100.1")])));
    assert!(!outside.evaluate(&single(&[(key, "203.0.113.9")])));
    assert!(outside.evaluate(&Context::new()));
    assert!(!outside.evaluate(&single(&[(key, "not-an-ip")])));
}

#[test]
fn binary_equals_compares_decoded_bytes() {
    let key = "aws:Binary";
    let binary = condition("BinaryEquals", key, r#""aGVsbG8=""#);
    assert!(binary.evaluate(&single(&[(key, "aGVsbG8")])));
    assert!(!binary.evaluate(&single(&[(key, "aGVsbA==")])));
    assert!(!binary.evaluate(&single(&[(key, "hello")])));
    assert!(!binary.evaluate(&Context::new()));
}

#[test]
fn arn_operators_match_part_by_part() {
    let key = "aws:SourceArn";
    let arn = "arn:aws:sns:eu-central-1:111122223333:topic";
    for operator in ["ArnLike", "ArnEquals"] {
        let like = condition(operator, key, r#""arn:aws:sns:*:111122223333:*""#);
        assert!(like.evaluate(&single(&[(key, arn)])), "{operator}");
        assert!(!like.evaluate(&single(&[(key, "arn:aws:sns:eu-central-1:444455556666:t")])));
        assert!(!like.evaluate(&single(&[(key, "topic")])), "not an ARN");
        assert!(!like.evaluate(&Context::new()));
    }
    for operator in ["ArnNotLike", "ArnNotEquals"] {
        let not_like = condition(operator, key, r#""arn:aws:sns:*:111122223333:*""#);
        assert!(!not_like.evaluate(&single(&[(key, arn)])), "{operator}");
        assert!(not_like.evaluate(&single(&[(key, "arn:aws:sns:eu-central-1:444455556666:t")])));
        assert!(not_like.evaluate(&Context::new()));
    }
}

#[test]
fn variables_resolve_from_the_request() {
    let key = "aws:ResourceTag/team";
    let same_team = condition("StringEquals", key, r#""${aws:PrincipalTag/team}""#);
    let context = single(&[(key, "blue"), ("aws:PrincipalTag/team", "blue")]);
    assert!(same_team.evaluate(&context));
    let other = single(&[(key, "blue"), ("aws:PrincipalTag/team", "red")]);
    assert!(!same_team.evaluate(&other));
    let with_default = condition("StringEquals", key, r#""${aws:PrincipalTag/team, 'blue'}""#);
    assert!(with_default.evaluate(&single(&[(key, "blue")])));
}

#[test]
fn unresolved_variables_match_nothing() {
    let key = "aws:ResourceTag/team";
    let context = single(&[(key, "blue")]);
    let equals = condition("StringEquals", key, r#""${aws:PrincipalTag/team}""#);
    assert!(!equals.evaluate(&context));
    let not_equals = condition("StringNotEquals", key, r#""${aws:PrincipalTag/team}""#);
    assert!(
        not_equals.evaluate(&context),
        "negated operators match a null value"
    );
    let not_like = condition(
        "StringNotLike",
        key,
        r#"["b*", "${aws:PrincipalTag/team}"]"#,
    );
    assert!(!not_like.evaluate(&context), "another value still matches");
    let arn_key = "aws:SourceArn";
    let arn = single(&[(arn_key, "arn:aws:s3:::bucket")]);
    let arn_not_equals = condition(
        "ArnNotEquals",
        arn_key,
        r#""arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}""#,
    );
    assert!(arn_not_equals.evaluate(&arn));
    let multi_valued = condition("StringNotEquals", key, r#""${aws:TagKeys}""#);
    let with_list = {
        let mut context = single(&[(key, "blue")]);
        context.insert("aws:TagKeys", ContextValue::Multi(vec!["blue".into()]));
        context
    };
    assert!(
        multi_valued.evaluate(&with_list),
        "a multi-valued key is no value"
    );
}

#[test]
fn escapes_are_literal_in_like_patterns() {
    let key = "s3:prefix";
    let literal_star = condition("StringLike", key, r#""home/${*}""#);
    assert!(literal_star.evaluate(&single(&[(key, "home/*")])));
    assert!(!literal_star.evaluate(&single(&[(key, "home/x")])));
}

#[test]
fn variables_are_text_under_the_original_version() {
    let key = "s3:prefix";
    let text = condition_in("2008-10-17", "StringEquals", key, r#""${aws:username}""#);
    assert!(text.evaluate(&single(&[(key, "${aws:username}"), ("aws:username", "x")])));
    assert!(!text.evaluate(&single(&[(key, "x"), ("aws:username", "x")])));
}
