//! Every known way the oracle departs from AWS's documented policy semantics, with the AWS
//! document that decides each, and how the differential test deals with it.
//!
//! A departure is either avoided (the generator never produces the input, or the oracle is run
//! so that it cannot occur) or classified: a disagreement is put down to a departure only when
//! rewriting the case into what the oracle takes it to mean makes the evaluator under test give
//! the oracle's answer. The rewrite is an emulation of the oracle's reading in the policy
//! language itself, e.g. `BinaryEquals` becomes `StringEquals`, so a disagreement with another
//! cause stays unexplained and is reported.

use scpcheck_policy::Decision;

use crate::case::{Case, PolicyCache};
use crate::protocol::OracleAnswer;
use crate::vocabulary::Family;

/// A known departure of the oracle from AWS's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KnownDeparture {
    /// SCPs are applied to service-linked roles and to principals of the management account.
    ScpsOnExemptPrincipals,
    /// A request for the resource `*` is read as a request for any resource.
    RequestResourceStarAsPattern,
    /// Policy variables are expanded whatever the policy's `Version`.
    VariablesUnderOriginalVersion,
    /// `${*}`, `${?}` and `${$}` stand for their characters only in `StringLike` operators.
    EscapesOnlyInLikeOperators,
    /// Epoch times are read as milliseconds, not seconds.
    EpochMilliseconds,
    /// `BinaryEquals` compares the text, not the decoded bytes.
    BinaryComparedAsText,
    /// A number is read from the leading digits of a value (`5abc` reads as 5).
    LenientNumbers,
    /// An operator without `ForAllValues:`/`ForAnyValue:` on a multi-valued key is false.
    SingleValuedOperatorOnMultiValuedKey,
    /// `ForAnyValue:` with `IfExists` is false on an absent key.
    ForAnyValueIfExistsOnAbsentKey,
    /// `Null` takes a multi-valued key with no values as present.
    EmptyMultiValuedKeyIsPresent,
    /// A policy variable that cannot be resolved never matches, under negated string operators
    /// and in `NotResource` too.
    UnresolvedVariableUnderNegation,
    /// An IPv4 network with prefix length 0 (`0.0.0.0/0`) holds no address.
    Ipv4ZeroPrefixHoldsNothing,
    /// An address compared with a policy value of the other IP version never matches, under
    /// `NotIpAddress` too.
    IpVersionMismatchFails,
    /// The root user needs an identity policy that allows the request, like any principal.
    RootUserNeedsIdentityPolicy,
    /// `NotPrincipal` exempts a caller as soon as one value names it, its role or its account.
    NotPrincipalExemptsOnAnyValue,
    /// A service's own authorization rules deny even without SCPs.
    OutsideScpLayer,
    /// An ARN with `*` or `?` in a request is read as a pattern standing for many resources.
    RequestArnWildcardsAsPattern,
    /// An ARN operator's policy value that is not an ARN (`*`) never matches.
    ArnOperatorWithNonArnValue,
    /// Dates are read by JavaScript's lenient parser (`2019-02-29` becomes March 1st).
    LenientDates,
    /// Times are kept to the millisecond.
    MillisecondPrecision,
    /// A time without a zone is read in the process's local time zone.
    LocalTimeZone,
    /// Unknown operator names are accepted; any name containing `Not` counts as negated.
    UnknownOperatorsAccepted,
    /// The validated entry point drops or reshapes context keys.
    ValidatedPathReshapesContext,
}

/// How the differential test deals with a departure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// A disagreement it explains is counted as known, by emulating the oracle's reading.
    Classified,
    /// It cannot occur in the comparison, for the reason given.
    Avoided(&'static str),
}

impl KnownDeparture {
    /// Every known departure, the classified ones first in the order they are tried.
    pub const ALL: [KnownDeparture; 23] = [
        KnownDeparture::ScpsOnExemptPrincipals,
        KnownDeparture::RequestResourceStarAsPattern,
        KnownDeparture::VariablesUnderOriginalVersion,
        KnownDeparture::EscapesOnlyInLikeOperators,
        KnownDeparture::EpochMilliseconds,
        KnownDeparture::BinaryComparedAsText,
        KnownDeparture::LenientNumbers,
        KnownDeparture::SingleValuedOperatorOnMultiValuedKey,
        KnownDeparture::ForAnyValueIfExistsOnAbsentKey,
        KnownDeparture::EmptyMultiValuedKeyIsPresent,
        KnownDeparture::UnresolvedVariableUnderNegation,
        KnownDeparture::Ipv4ZeroPrefixHoldsNothing,
        KnownDeparture::IpVersionMismatchFails,
        KnownDeparture::RootUserNeedsIdentityPolicy,
        KnownDeparture::NotPrincipalExemptsOnAnyValue,
        KnownDeparture::OutsideScpLayer,
        KnownDeparture::RequestArnWildcardsAsPattern,
        KnownDeparture::ArnOperatorWithNonArnValue,
        KnownDeparture::LenientDates,
        KnownDeparture::MillisecondPrecision,
        KnownDeparture::LocalTimeZone,
        KnownDeparture::UnknownOperatorsAccepted,
        KnownDeparture::ValidatedPathReshapesContext,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            KnownDeparture::ScpsOnExemptPrincipals => "scps-on-exempt-principals",
            KnownDeparture::RequestResourceStarAsPattern => "request-resource-star-as-pattern",
            KnownDeparture::VariablesUnderOriginalVersion => "variables-under-original-version",
            KnownDeparture::EscapesOnlyInLikeOperators => "escapes-only-in-like-operators",
            KnownDeparture::EpochMilliseconds => "epoch-milliseconds",
            KnownDeparture::BinaryComparedAsText => "binary-compared-as-text",
            KnownDeparture::LenientNumbers => "lenient-numbers",
            KnownDeparture::SingleValuedOperatorOnMultiValuedKey => {
                "single-valued-operator-on-multi-valued-key"
            }
            KnownDeparture::ForAnyValueIfExistsOnAbsentKey => {
                "for-any-value-if-exists-on-absent-key"
            }
            KnownDeparture::EmptyMultiValuedKeyIsPresent => "empty-multi-valued-key-is-present",
            KnownDeparture::UnresolvedVariableUnderNegation => "unresolved-variable-under-negation",
            KnownDeparture::Ipv4ZeroPrefixHoldsNothing => "ipv4-zero-prefix-holds-nothing",
            KnownDeparture::IpVersionMismatchFails => "ip-version-mismatch-fails",
            KnownDeparture::RootUserNeedsIdentityPolicy => "root-user-needs-identity-policy",
            KnownDeparture::NotPrincipalExemptsOnAnyValue => "not-principal-exempts-on-any-value",
            KnownDeparture::OutsideScpLayer => "outside-scp-layer",
            KnownDeparture::RequestArnWildcardsAsPattern => "request-arn-wildcards-as-pattern",
            KnownDeparture::ArnOperatorWithNonArnValue => "arn-operator-with-non-arn-value",
            KnownDeparture::LenientDates => "lenient-dates",
            KnownDeparture::MillisecondPrecision => "millisecond-precision",
            KnownDeparture::LocalTimeZone => "local-time-zone",
            KnownDeparture::UnknownOperatorsAccepted => "unknown-operators-accepted",
            KnownDeparture::ValidatedPathReshapesContext => "validated-path-reshapes-context",
        }
    }

    /// What the oracle does, and what AWS documents instead.
    pub fn reason(self) -> &'static str {
        match self {
            KnownDeparture::ScpsOnExemptPrincipals => {
                "the oracle has no notion of the management account or of service-linked roles \
                 and applies SCPs to both; AWS documents that SCPs affect neither"
            }
            KnownDeparture::RequestResourceStarAsPattern => {
                "for a request whose resource is `*` the oracle lets every `Allow` statement \
                 apply whatever its resource element, and no `Deny` statement unless its \
                 `Resource` lists `*`; AWS matches the request's resource against the element \
                 like any other resource"
            }
            KnownDeparture::VariablesUnderOriginalVersion => {
                "the oracle expands `${...}` under `2008-10-17` and without a `Version`; AWS \
                 documents that variables are plain text there"
            }
            KnownDeparture::EscapesOnlyInLikeOperators => {
                "the oracle turns `${*}`, `${?}` and `${$}` into their characters only for \
                 `StringLike` and `StringNotLike`; AWS documents them for any string that takes \
                 policy variables, `StringEquals` included"
            }
            KnownDeparture::EpochMilliseconds => {
                "the oracle reads an all-digit date as milliseconds since 1970; AWS documents \
                 epoch time in seconds"
            }
            KnownDeparture::BinaryComparedAsText => {
                "the oracle compares the base64 text; AWS documents a byte-by-byte comparison of \
                 the decoded value, so `aGVsbG8=` and `aGVsbG8` are the same bytes"
            }
            KnownDeparture::LenientNumbers => {
                "the oracle reads the leading decimal digits of a value (`5abc` is 5, `1e3` is \
                 1, `+1` is 1, `.5` is 0.5); AWS documents numeric values, which these are not"
            }
            KnownDeparture::SingleValuedOperatorOnMultiValuedKey => {
                "the oracle answers false for an operator without a set prefix on a \
                 multi-valued key, negated operators included; AWS documents such keys with \
                 `ForAllValues:` and `ForAnyValue:` and leaves the plain operator unspecified"
            }
            KnownDeparture::ForAnyValueIfExistsOnAbsentKey => {
                "the oracle answers false for `ForAnyValue:` with the `IfExists` suffix when the \
                 key is absent; AWS documents that `IfExists` makes any operator but `Null` true \
                 on an absent key"
            }
            KnownDeparture::EmptyMultiValuedKeyIsPresent => {
                "the oracle takes a multi-valued key with no values as present for `Null`; the \
                 AWS examples for multi-valued keys treat a key with empty values as null"
            }
            KnownDeparture::UnresolvedVariableUnderNegation => {
                "the oracle makes a string or ARN condition value or a `NotResource` pattern \
                 holding a variable that cannot be resolved fail, so `StringNotEquals` and \
                 `ArnNotEquals` are false against it and the `NotResource` statement does not \
                 apply; AWS documents that such a value is effectively null, that negated \
                 operators match against it, and that such a resource pattern matches no \
                 resource"
            }
            KnownDeparture::Ipv4ZeroPrefixHoldsNothing => {
                "the oracle finds no address in an IPv4 network of prefix length 0, so \
                 `0.0.0.0/0` matches nothing; AWS documents CIDR notation, in which it holds \
                 every IPv4 address"
            }
            KnownDeparture::IpVersionMismatchFails => {
                "the oracle cannot compare an IPv6 request address with an IPv4 policy value, \
                 nor an IPv4 address with an IPv6 address given without prefix length, and \
                 then fails `NotIpAddress` too; AWS documents that `NotIpAddress` holds when \
                 the address is not in the range, which an address of the other version never \
                 is"
            }
            KnownDeparture::RootUserNeedsIdentityPolicy => {
                "the oracle treats an account's root user like any other principal, so it \
                 denies the root user a request that no identity policy allows, within its \
                 account and across accounts; AWS documents that all requests are implicitly \
                 denied except the root user's, which has full access"
            }
            KnownDeparture::NotPrincipalExemptsOnAnyValue => {
                "the oracle exempts a caller from a `NotPrincipal` deny as soon as one value \
                 names the caller, its role or its account; AWS documents that it may check \
                 the account, then the role, then the user or session, and that the element \
                 must list the account too, else the deny may apply to the whole account"
            }
            KnownDeparture::OutsideScpLayer => {
                "the oracle models some services' own authorization rules (kms, sts), which \
                 deny without any SCP; the comparison is of the SCP layer only"
            }
            KnownDeparture::RequestArnWildcardsAsPattern => {
                "the oracle reads `*` inside a request's resource ARN as a wildcard standing for \
                 many resources; AWS authorizes a request for one named resource, whose name is \
                 matched literally"
            }
            KnownDeparture::ArnOperatorWithNonArnValue => {
                "the oracle never matches an ARN operator's value that does not have the six \
                 parts of an ARN (`*`, `arn:*`), negated operators included; AWS does not \
                 document such values"
            }
            KnownDeparture::LenientDates => {
                "the oracle reads dates with JavaScript's parser, which accepts forms AWS does \
                 not document and rolls invalid days over to the next month"
            }
            KnownDeparture::MillisecondPrecision => {
                "the oracle keeps times to the millisecond; AWS documents ISO 8601 times, \
                 whose fractions may be finer"
            }
            KnownDeparture::LocalTimeZone => {
                "the oracle reads a time without a zone in the process's local time zone; AWS \
                 evaluates in UTC"
            }
            KnownDeparture::UnknownOperatorsAccepted => {
                "the oracle accepts any operator name: an unknown one is false, and any name \
                 containing `Not` counts as negated; AWS refuses a policy with an unknown \
                 operator"
            }
            KnownDeparture::ValidatedPathReshapesContext => {
                "the oracle's validated entry point drops context keys its service data says do \
                 not apply and keeps only the first value of an array for a key it takes as \
                 single-valued; AWS evaluates the request context as it is"
            }
        }
    }

    /// The AWS document that decides the question.
    pub fn aws_doc(self) -> &'static str {
        const OPERATORS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                                 reference_policies_elements_condition_operators.html";
        match self {
            KnownDeparture::ScpsOnExemptPrincipals => {
                "https://docs.aws.amazon.com/organizations/latest/userguide/\
                 orgs_manage_policies_scps.html"
            }
            KnownDeparture::RequestResourceStarAsPattern
            | KnownDeparture::RequestArnWildcardsAsPattern => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_elements_resource.html"
            }
            KnownDeparture::VariablesUnderOriginalVersion => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_elements_version.html"
            }
            KnownDeparture::EscapesOnlyInLikeOperators => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_variables.html"
            }
            KnownDeparture::ForAnyValueIfExistsOnAbsentKey
            | KnownDeparture::ArnOperatorWithNonArnValue
            | KnownDeparture::EpochMilliseconds
            | KnownDeparture::LenientDates
            | KnownDeparture::MillisecondPrecision
            | KnownDeparture::LocalTimeZone
            | KnownDeparture::BinaryComparedAsText
            | KnownDeparture::LenientNumbers
            | KnownDeparture::UnknownOperatorsAccepted => OPERATORS,
            KnownDeparture::SingleValuedOperatorOnMultiValuedKey => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_condition-single-vs-multi-valued-context-keys.html"
            }
            KnownDeparture::EmptyMultiValuedKeyIsPresent => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_condition_examples-multi-valued-context-keys.html"
            }
            KnownDeparture::UnresolvedVariableUnderNegation => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_variables.html#policy-vars-no-value"
            }
            KnownDeparture::Ipv4ZeroPrefixHoldsNothing | KnownDeparture::IpVersionMismatchFails => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_elements_condition_operators.html#Conditions_IPAddress"
            }
            KnownDeparture::OutsideScpLayer => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_evaluation-logic.html"
            }
            KnownDeparture::RootUserNeedsIdentityPolicy => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_evaluation-logic_policy-eval-denyallow.html"
            }
            KnownDeparture::NotPrincipalExemptsOnAnyValue => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_elements_notprincipal.html"
            }
            KnownDeparture::ValidatedPathReshapesContext => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/\
                 reference_policies_evaluation-logic_policy-eval-reqcontext.html"
            }
        }
    }

    /// How the comparison deals with it.
    pub fn handling(self) -> Handling {
        match self {
            KnownDeparture::ScpsOnExemptPrincipals
            | KnownDeparture::RequestResourceStarAsPattern
            | KnownDeparture::VariablesUnderOriginalVersion
            | KnownDeparture::EscapesOnlyInLikeOperators
            | KnownDeparture::EpochMilliseconds
            | KnownDeparture::BinaryComparedAsText
            | KnownDeparture::LenientNumbers
            | KnownDeparture::SingleValuedOperatorOnMultiValuedKey
            | KnownDeparture::ForAnyValueIfExistsOnAbsentKey
            | KnownDeparture::EmptyMultiValuedKeyIsPresent
            | KnownDeparture::UnresolvedVariableUnderNegation
            | KnownDeparture::Ipv4ZeroPrefixHoldsNothing
            | KnownDeparture::IpVersionMismatchFails
            | KnownDeparture::RootUserNeedsIdentityPolicy
            | KnownDeparture::NotPrincipalExemptsOnAnyValue
            | KnownDeparture::OutsideScpLayer => Handling::Classified,
            KnownDeparture::RequestArnWildcardsAsPattern => Handling::Avoided(
                "no generated request names an ARN holding `*`; `?` is matched literally by both",
            ),
            KnownDeparture::ArnOperatorWithNonArnValue => {
                Handling::Avoided("every generated policy value of an ARN operator is an ARN")
            }
            KnownDeparture::LenientDates => Handling::Avoided(
                "date operators are only put on keys holding well-formed dates, and their \
                 policy values are well-formed ISO 8601 or epoch seconds, or text no reader \
                 takes for a date",
            ),
            KnownDeparture::MillisecondPrecision => {
                Handling::Avoided("no generated time has a fraction finer than a millisecond")
            }
            KnownDeparture::LocalTimeZone => {
                Handling::Avoided("the oracle process runs with `TZ=UTC`")
            }
            KnownDeparture::UnknownOperatorsAccepted => Handling::Avoided(
                "only documented operators are generated; the evaluator under test refuses \
                 the others when it parses the policy",
            ),
            KnownDeparture::ValidatedPathReshapesContext => Handling::Avoided(
                "the runner calls the unvalidated entry point, which evaluates the context as \
                 given",
            ),
        }
    }

    /// The case as the oracle reads it, written so that AWS's semantics give the oracle's
    /// reading; `None` when the departure does not touch the case.
    fn emulate(self, case: &Case) -> Option<Case> {
        match self {
            KnownDeparture::ScpsOnExemptPrincipals => emulate::exempt_principals(case),
            KnownDeparture::RequestResourceStarAsPattern => emulate::star_request(case),
            KnownDeparture::VariablesUnderOriginalVersion => emulate::variables_everywhere(case),
            KnownDeparture::EscapesOnlyInLikeOperators => emulate::literal_escapes(case),
            KnownDeparture::EpochMilliseconds => {
                rewrite::rewrite_values(case, Family::Date, rewrite::epoch_as_milliseconds)
            }
            KnownDeparture::BinaryComparedAsText => emulate::binary_as_text(case),
            KnownDeparture::LenientNumbers => {
                rewrite::rewrite_values(case, Family::Numeric, rewrite::leading_number)
            }
            KnownDeparture::SingleValuedOperatorOnMultiValuedKey => {
                emulate::plain_operator_on_list(case)
            }
            KnownDeparture::ForAnyValueIfExistsOnAbsentKey => emulate::any_if_exists(case),
            KnownDeparture::EmptyMultiValuedKeyIsPresent => emulate::empty_list_present(case),
            KnownDeparture::UnresolvedVariableUnderNegation => emulate::unresolved_variables(case),
            KnownDeparture::Ipv4ZeroPrefixHoldsNothing => emulate::ipv4_zero_prefix(case),
            KnownDeparture::IpVersionMismatchFails => emulate::ip_version_mismatch(case),
            KnownDeparture::RootUserNeedsIdentityPolicy => emulate::root_as_user(case),
            KnownDeparture::NotPrincipalExemptsOnAnyValue => emulate::not_principal_any_value(case),
            KnownDeparture::OutsideScpLayer
            | KnownDeparture::RequestArnWildcardsAsPattern
            | KnownDeparture::ArnOperatorWithNonArnValue
            | KnownDeparture::LenientDates
            | KnownDeparture::MillisecondPrecision
            | KnownDeparture::LocalTimeZone
            | KnownDeparture::UnknownOperatorsAccepted
            | KnownDeparture::ValidatedPathReshapesContext => None,
        }
    }
}

/// What a comparison of one case came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Both gave the same decision.
    Agree,
    /// They differ, and these known departures explain it.
    Known(Vec<KnownDeparture>),
    /// They differ for no known reason.
    Unexplained,
    /// The oracle could not evaluate the case.
    OracleError(String),
}

/// Compares the evaluator's decision with the oracle's answer, and explains a difference by
/// the known departures if they explain it.
pub fn judge(
    case: &Case,
    ours: Decision,
    oracle: &OracleAnswer,
    cache: &mut PolicyCache,
) -> Verdict {
    let theirs = match oracle {
        OracleAnswer::Scp(decision) | OracleAnswer::Overall(decision) => *decision,
        OracleAnswer::OutsideScpLayer { .. } => {
            return Verdict::Known(vec![KnownDeparture::OutsideScpLayer]);
        }
        OracleAnswer::Error(message) => return Verdict::OracleError(message.clone()),
    };
    if ours == theirs {
        return Verdict::Agree;
    }
    let decides = |case: &Case, cache: &mut PolicyCache| case.decide(cache).ok() == Some(theirs);

    let classified = KnownDeparture::ALL
        .into_iter()
        .filter(|departure| departure.handling() == Handling::Classified);
    let mut applied = Vec::new();
    let mut combined = case.clone();
    for departure in classified {
        let Some(emulated) = departure.emulate(case) else {
            continue;
        };
        if decides(&emulated, cache) {
            return Verdict::Known(vec![departure]);
        }
        if let Some(next) = departure.emulate(&combined) {
            combined = next;
            applied.push(departure);
        }
    }
    if applied.len() > 1 && decides(&combined, cache) {
        return Verdict::Known(fewest_needed(case, applied, theirs, cache));
    }
    Verdict::Unexplained
}

/// Drops from `departures` each one the explanation does not need, so a report names only the
/// departures that made the difference.
fn fewest_needed(
    case: &Case,
    mut departures: Vec<KnownDeparture>,
    theirs: Decision,
    cache: &mut PolicyCache,
) -> Vec<KnownDeparture> {
    let mut index = 0;
    while index < departures.len() && departures.len() > 1 {
        let mut without = departures.clone();
        without.remove(index);
        let emulated = without.iter().fold(case.clone(), |case, departure| {
            departure.emulate(&case).unwrap_or(case)
        });
        if emulated.decide(cache).ok() == Some(theirs) {
            departures = without;
        } else {
            index += 1;
        }
    }
    departures
}

mod emulate;
mod rewrite;

#[cfg(test)]
mod tests;
