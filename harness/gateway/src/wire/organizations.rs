//! Organizations JSON 1.1 requests: which of them may change the organization, so that the
//! SCPs are read again once they succeed.

use http::HeaderMap;

/// The target prefix of Organizations operations.
const TARGET_PREFIX: &str = "AWSOrganizationsV20161128.";

/// Operation name prefixes of the calls that only read.
const READ_PREFIXES: [&str; 2] = ["Describe", "List"];

/// The operation named by `X-Amz-Target`, e.g. `AttachPolicy`.
pub(crate) fn operation(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("x-amz-target")?
        .to_str()
        .ok()?
        .strip_prefix(TARGET_PREFIX)
}

/// Whether the request may change the organization or its policies. Besides the `Create*`,
/// `Delete*`, `Attach*`, `Detach*`, `Update*`, `Move*`, `Enable*` and `Disable*` calls this
/// counts membership changes (`AcceptHandshake`, `RemoveAccountFromOrganization`,
/// `LeaveOrganization`, `CloseAccount`): everything but reads, and requests whose operation
/// cannot be told.
pub(crate) fn is_write(headers: &HeaderMap) -> bool {
    operation(headers)
        .is_none_or(|name| !READ_PREFIXES.iter().any(|prefix| name.starts_with(prefix)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn target(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-target", HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn everything_but_reads_is_a_write() {
        assert!(is_write(&target("AWSOrganizationsV20161128.AttachPolicy")));
        assert!(is_write(&target("AWSOrganizationsV20161128.MoveAccount")));
        assert!(is_write(&target(
            "AWSOrganizationsV20161128.EnablePolicyType"
        )));
        assert!(is_write(&target(
            "AWSOrganizationsV20161128.RemoveAccountFromOrganization"
        )));
        assert!(is_write(&HeaderMap::new()));
        assert!(!is_write(&target("AWSOrganizationsV20161128.ListRoots")));
        assert!(!is_write(&target(
            "AWSOrganizationsV20161128.DescribePolicy"
        )));
    }
}
