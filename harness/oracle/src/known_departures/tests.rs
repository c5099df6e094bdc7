//! Tests of the emulated readings.

use scpcheck_policy::Effect;

use super::rewrite::{arn_reaches_variable, epoch_as_milliseconds, leading_number, wildcard_match};
use super::*;
use crate::case::{
    ConditionDocument, Element, KeyValue, Permissions, PolicyDocument, Principal,
    ResourcePolicyDocument, Scp, StatementDocument,
};
use crate::principals::{Account, PrincipalDocument, PrincipalValues};

#[test]
fn leading_numbers() {
    assert_eq!(leading_number("5abc").as_deref(), Some("5"));
    assert_eq!(leading_number("1e3").as_deref(), Some("1"));
    assert_eq!(leading_number("+1").as_deref(), Some("1"));
    assert_eq!(leading_number(".5").as_deref(), Some("0.5"));
    assert_eq!(leading_number("1.").as_deref(), Some("1"));
    assert_eq!(leading_number("-1.25x").as_deref(), Some("-1.25"));
    assert_eq!(leading_number(" 5").as_deref(), Some("5"));
    assert_eq!(leading_number("ten"), None);
    assert_eq!(leading_number(""), None);
}

#[test]
fn epoch_digits_are_milliseconds() {
    assert_eq!(
        epoch_as_milliseconds("1577836800").as_deref(),
        Some("1970-01-19T06:17:16.800Z")
    );
    assert_eq!(
        epoch_as_milliseconds("1577836800000").as_deref(),
        Some("2020-01-01T00:00:00.000Z")
    );
    assert_eq!(
        epoch_as_milliseconds("2020-01-01").as_deref(),
        Some("2020-01-01")
    );
}

#[test]
fn wildcards() {
    assert!(wildcard_match("a*c", "abbc"));
    assert!(wildcard_match("a?c", "abc"));
    assert!(wildcard_match("*", ""));
    assert!(!wildcard_match("a*c", "abd"));
    assert!(wildcard_match("*a*b", "xxaxxb"));
}

#[test]
fn arn_comparison_stops_at_the_first_differing_part() {
    let pattern = "arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}";
    assert!(arn_reaches_variable(
        pattern,
        "arn:aws:iam::111122223333:role/admin/Ops"
    ));
    assert!(!arn_reaches_variable(pattern, "arn:aws:s3:::bucket"));
}

/// A case in the vector layout with one statement, `Deny` on every action unless `effect` says
/// otherwise.
fn case_with(
    effect: Effect,
    resource: (&str, bool),
    conditions: &[(&str, &str, &[&str])],
    context: &[(&str, KeyValue)],
) -> Case {
    let statement = StatementDocument {
        effect,
        action: Element {
            negated: false,
            patterns: vec!["*".into()],
        },
        resource: Element {
            negated: resource.1,
            patterns: vec![resource.0.into()],
        },
        conditions: conditions
            .iter()
            .map(|(operator, key, values)| ConditionDocument {
                operator: (*operator).into(),
                key: (*key).into(),
                values: values.iter().map(|value| (*value).to_owned()).collect(),
            })
            .collect(),
        principal: None,
    };
    let document = PolicyDocument {
        version: Some("2012-10-17".into()),
        statements: vec![statement],
    };
    let base = Case {
        levels: Vec::new(),
        principal: Principal::Member,
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::bucket-a/home/blue/file".into(),
        context: context
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect(),
        permissions: None,
    };
    crate::vector::in_vector_layout(&base, &document)
}

fn single(value: &str) -> KeyValue {
    KeyValue::Single(value.into())
}

/// The verdict when the oracle answers the opposite of the evaluator under test.
fn verdict_on_disagreement(case: &Case) -> Verdict {
    let mut cache = PolicyCache::new();
    let ours = case.decide(&mut cache).unwrap();
    let theirs = match ours {
        Decision::Allow => Decision::Deny,
        Decision::Deny => Decision::Allow,
    };
    judge(case, ours, &OracleAnswer::Scp(theirs), &mut cache)
}

fn explained_by(case: &Case, departure: KnownDeparture) {
    assert_eq!(
        verdict_on_disagreement(case),
        Verdict::Known(vec![departure]),
        "{case:?}"
    );
}

#[test]
fn agreement_and_errors_are_not_departures() {
    let case = case_with(Effect::Deny, ("*", false), &[], &[]);
    let mut cache = PolicyCache::new();
    let ours = case.decide(&mut cache).unwrap();
    assert_eq!(
        judge(&case, ours, &OracleAnswer::Scp(ours), &mut cache),
        Verdict::Agree
    );
    let error = OracleAnswer::Error("boom".into());
    assert_eq!(
        judge(&case, ours, &error, &mut cache),
        Verdict::OracleError("boom".into())
    );
    let outside = OracleAnswer::OutsideScpLayer {
        control: "ImplicitlyDenied".into(),
    };
    assert_eq!(
        judge(&case, ours, &outside, &mut cache),
        Verdict::Known(vec![KnownDeparture::OutsideScpLayer])
    );
}

#[test]
fn a_disagreement_without_a_departure_stays_unexplained() {
    let case = case_with(
        Effect::Deny,
        ("*", false),
        &[("StringEquals", "s3:prefix", &["home/"])],
        &[("s3:prefix", single("home/"))],
    );
    assert_eq!(verdict_on_disagreement(&case), Verdict::Unexplained);
}

#[test]
fn exempt_principals() {
    let mut case = case_with(Effect::Deny, ("*", false), &[], &[]);
    case.principal = Principal::ServiceLinkedRole;
    explained_by(&case, KnownDeparture::ScpsOnExemptPrincipals);
    case.principal = Principal::Management;
    explained_by(&case, KnownDeparture::ScpsOnExemptPrincipals);
}

#[test]
fn star_request_resource() {
    let mut case = case_with(Effect::Deny, ("arn:aws:s3:::bucket-a/*", true), &[], &[]);
    case.resource = "*".into();
    explained_by(&case, KnownDeparture::RequestResourceStarAsPattern);
}

#[test]
fn variables_under_the_original_version() {
    let mut case = case_with(
        Effect::Deny,
        (
            "arn:aws:s3:::bucket-a/home/${aws:PrincipalTag/team}/*",
            false,
        ),
        &[],
        &[("aws:PrincipalTag/team", single("blue"))],
    );
    if let Some(Scp::Document(document)) = case.levels[1].policies.get_mut(1) {
        document.version = Some("2008-10-17".into());
    }
    explained_by(&case, KnownDeparture::VariablesUnderOriginalVersion);
}

#[test]
fn escapes_in_string_equals() {
    let case = case_with(
        Effect::Deny,
        ("*", false),
        &[("StringEquals", "s3:prefix", &["home/${*}"])],
        &[("s3:prefix", single("home/*"))],
    );
    explained_by(&case, KnownDeparture::EscapesOnlyInLikeOperators);
    assert_eq!(emulate::escapes_as_text("a${*}b${$}"), "a${$}{*}b${$}{$}");
}

#[test]
fn epoch_seconds() {
    let case = case_with(
        Effect::Deny,
        ("*", false),
        &[("DateEquals", "aws:CurrentTime", &["1577836800"])],
        &[("aws:CurrentTime", single("2020-01-01T00:00:00Z"))],
    );
    explained_by(&case, KnownDeparture::EpochMilliseconds);
}

#[test]
fn binary_as_text() {
    let case = case_with(
        Effect::Deny,
        ("*", false),
        &[("BinaryEquals", "s3:x-amz-digest", &["aGVsbG8="])],
        &[("s3:x-amz-digest", single("aGVsbG8"))],
    );
    explained_by(&case, KnownDeparture::BinaryComparedAsText);
}

#[test]
fn lenient_numbers_in_policy_values() {
    let case = case_with(
        Effect::Deny,
        ("*", false),
        &[("NumericEquals", "ec2:VolumeSize", &["100abc"])],
        &[("ec2:VolumeSize", single("100"))],
    );
    explained_by(&case, KnownDeparture::LenientNumbers);
}

#[test]
fn plain_operator_on_a_multi_valued_key() {
    let case = case_with(
        Effect::Deny,
        ("*", false),
        &[("StringEquals", "aws:TagKeys", &["team"])],
        &[("aws:TagKeys", KeyValue::Multi(vec!["team".into()]))],
    );
    explained_by(&case, KnownDeparture::SingleValuedOperatorOnMultiValuedKey);
}

#[test]
fn for_any_value_if_exists_on_an_absent_key() {
    let case = case_with(
        Effect::Deny,
        ("*", false),
        &[("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", &["team"])],
        &[],
    );
    explained_by(&case, KnownDeparture::ForAnyValueIfExistsOnAbsentKey);
}

#[test]
fn null_on_an_empty_multi_valued_key() {
    let case = case_with(
        Effect::Deny,
        ("*", false),
        &[("Null", "aws:TagKeys", &["false"])],
        &[("aws:TagKeys", KeyValue::Multi(Vec::new()))],
    );
    explained_by(&case, KnownDeparture::EmptyMultiValuedKeyIsPresent);
}

#[test]
fn unresolved_variables_under_negation() {
    let condition = case_with(
        Effect::Deny,
        ("*", false),
        &[(
            "StringNotEquals",
            "s3:prefix",
            &["${aws:PrincipalTag/team}"],
        )],
        &[("s3:prefix", single("home/"))],
    );
    explained_by(&condition, KnownDeparture::UnresolvedVariableUnderNegation);
    let not_resource = case_with(
        Effect::Deny,
        (
            "arn:aws:s3:::bucket-a/home/${aws:PrincipalTag/team}/*",
            true,
        ),
        &[],
        &[],
    );
    explained_by(
        &not_resource,
        KnownDeparture::UnresolvedVariableUnderNegation,
    );
    let not_an_arn = case_with(
        Effect::Deny,
        ("*", false),
        &[(
            "ArnNotEqualsIfExists",
            "ec2:Encrypted",
            &["arn:aws:iam::111122223333:role/${aws:PrincipalTag/team}"],
        )],
        &[("ec2:Encrypted", single("false"))],
    );
    explained_by(&not_an_arn, KnownDeparture::UnresolvedVariableUnderNegation);
}

#[test]
fn ip_departures() {
    let zero = case_with(
        Effect::Deny,
        ("*", false),
        &[("IpAddress", "aws:SourceIp", &["0.0.0.0/0"])],
        &[("aws:SourceIp", single("203.0.113.9"))],
    );
    explained_by(&zero, KnownDeparture::Ipv4ZeroPrefixHoldsNothing);
    let mismatch = case_with(
        Effect::Deny,
        ("*", false),
        &[("NotIpAddress", "aws:SourceIp", &["203.0.113.0/24"])],
        &[("aws:SourceIp", single("2001:db8::1"))],
    );
    explained_by(&mismatch, KnownDeparture::IpVersionMismatchFails);
}

#[test]
fn combined_departures_name_only_those_needed() {
    let mut case = case_with(
        Effect::Deny,
        ("*", false),
        &[
            ("BinaryEquals", "s3:x-amz-digest", &["aGVsbG8="]),
            ("DateEquals", "aws:CurrentTime", &["1577836800"]),
        ],
        &[
            ("s3:x-amz-digest", single("aGVsbG8=")),
            ("aws:CurrentTime", single("1970-01-19T06:17:16.800Z")),
        ],
    );
    case.principal = Principal::ServiceLinkedRole;
    // The oracle denies: its epoch reading matches the request's time; exempting the principal
    // alone does not explain it, the epoch reading is needed too, and the binary comparison
    // changes nothing here.
    assert_eq!(
        verdict_on_disagreement(&case),
        Verdict::Known(vec![
            KnownDeparture::ScpsOnExemptPrincipals,
            KnownDeparture::EpochMilliseconds
        ])
    );
}

#[test]
fn every_departure_is_named_explained_and_documented() {
    let mut names = std::collections::BTreeSet::new();
    for departure in KnownDeparture::ALL {
        assert!(names.insert(departure.name()), "{departure:?}");
        assert!(!departure.reason().is_empty());
        assert!(
            departure
                .aws_doc()
                .starts_with("https://docs.aws.amazon.com/")
        );
        if let Handling::Avoided(how) = departure.handling() {
            assert!(!how.is_empty());
        }
    }
}

/// A case over every policy type: `FullAWSAccess` everywhere, `identity` as the caller's
/// identity policies, and a resource-based policy owned by `owner` with one statement of
/// `effect` on every action and resource whose principal element is `principal`.
fn all_policies_case(
    caller: Principal,
    identity: Vec<PolicyDocument>,
    effect: Effect,
    principal: PrincipalDocument,
    owner: Account,
) -> Case {
    let mut statement = crate::vector::full_aws_access_document();
    statement.statements[0].effect = effect;
    statement.statements[0].principal = Some(principal);
    let base = case_with(Effect::Deny, ("arn:aws:emulated:::never", false), &[], &[]);
    Case {
        principal: caller,
        permissions: Some(Permissions {
            identity,
            resource_policy: Some(ResourcePolicyDocument {
                document: statement,
                owner,
            }),
        }),
        ..base
    }
}

fn listed(negated: bool, values: &[&str]) -> PrincipalDocument {
    PrincipalDocument {
        negated,
        values: PrincipalValues::Listed(
            values
                .iter()
                .map(|value| (scpcheck_policy::PrincipalType::Aws, (*value).to_owned()))
                .collect(),
        ),
    }
}

fn overall_verdict(case: &Case, theirs: Decision) -> Verdict {
    let mut cache = PolicyCache::new();
    let ours = case.decide(&mut cache).unwrap();
    judge(case, ours, &OracleAnswer::Overall(theirs), &mut cache)
}

#[test]
fn the_root_user_without_identity_policy_is_denied_by_the_oracle() {
    let allow_all = crate::vector::full_aws_access_document();
    let other_account = listed(false, &["arn:aws:iam::444455556666:root"]);
    for (account, owner) in [
        (Account::Member, Account::Member),
        (Account::Other, Account::Member),
    ] {
        let caller = Principal::Root(account);
        let case = all_policies_case(
            caller,
            Vec::new(),
            Effect::Allow,
            other_account.clone(),
            owner,
        );
        assert_eq!(
            overall_verdict(&case, Decision::Deny),
            Verdict::Known(vec![KnownDeparture::RootUserNeedsIdentityPolicy]),
            "{case:?}"
        );
        let with_identity = Case {
            permissions: case.permissions.clone().map(|permissions| Permissions {
                identity: vec![allow_all.clone()],
                ..permissions
            }),
            ..case
        };
        assert_eq!(
            overall_verdict(&with_identity, Decision::Deny),
            Verdict::Unexplained
        );
    }
}

#[test]
fn not_principal_listing_only_the_role_exempts_for_the_oracle() {
    let allow_all = crate::vector::full_aws_access_document();
    let session = Principal::ReaderSession(Account::Member);
    let role_only = listed(true, &["arn:aws:iam::111122223333:role/Reader"]);
    let case = all_policies_case(
        session,
        vec![allow_all.clone()],
        Effect::Deny,
        role_only,
        Account::Member,
    );
    assert_eq!(
        overall_verdict(&case, Decision::Allow),
        Verdict::Known(vec![KnownDeparture::NotPrincipalExemptsOnAnyValue])
    );
    let someone_else = listed(true, &["arn:aws:iam::444455556666:role/Reader"]);
    let case = all_policies_case(
        session,
        vec![allow_all],
        Effect::Deny,
        someone_else,
        Account::Member,
    );
    assert_eq!(
        overall_verdict(&case, Decision::Allow),
        Verdict::Unexplained
    );
}
