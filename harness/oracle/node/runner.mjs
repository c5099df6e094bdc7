// Answers authorization questions with @cloud-copilot/iam-simulate, one JSON line per question.
//
// scpcheck starts this script as a separate process and compares its answers with its own
// evaluator. Input on stdin, one JSON object per line:
//   {"id": 7, "principal": "arn:...", "account": "111122223333", "action": "s3:GetObject",
//    "resource": "arn:...", "context": {"key": "value" or ["values"]},
//    "levels": [{"id": "r-root", "policies": [{"name": "FullAWSAccess", "policy": {...}}]}]}
// Output on stdout, one line per input line, in input order, with the same id:
//   {"id": 7, "result": "Allowed", "control": "Allowed"}   or   {"id": 7, "error": "..."}
// `result` is the decision with the SCP levels, `control` the same request without any SCP. The
// principal has an allow-all identity policy and asks for a resource in its own account, so
// when `control` is `Allowed` nothing but the SCPs can deny, and `result` is the SCP layer's
// decision. The first line written is {"hello": {...}} with the versions in use.
//
// A question about every policy type also carries the principal's identity policies and, if the
// resource has one, its resource-based policy; `account` is then the resource's account:
//   {..., "identityPolicies": [{"name": "identity-0", "policy": {...}}],
//    "resourcePolicy": {...}}
// and is answered with the overall decision alone:
//   {"id": 7, "result": "ImplicitlyDenied", "scope": "all"}
// No control answer is computed for these: the questions avoid the services whose own
// authorization rules the package models (kms, sts, iam), and S3 Block Public Access stays off
// because no setting for it is passed.
//
// The unvalidated entry point is used on purpose: the validated one drops context keys that its
// service data says do not apply and keeps only the first value of an array given for a key it
// takes as single-valued, so it would not evaluate the context it was given.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

const ALLOW_ALL = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

function packageVersion() {
  const url = new URL('./node_modules/@cloud-copilot/iam-simulate/package.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')).version;
}

// The unvalidated entry point loads a resource-based policy without a name and then fails
// reading that name. A policy already marked as validated (the package's plain-data form,
// `{__validated, policyDocument, metadata, errors}`) is loaded with the name it carries.
function namedResourcePolicy(policy) {
  if (policy === undefined || policy === null) {
    return undefined;
  }
  return {
    __validated: true,
    policyDocument: policy,
    metadata: { name: 'ResourcePolicy' },
    errors: [],
  };
}

function overallSimulation(question) {
  return {
    request: {
      principal: question.principal,
      action: question.action,
      resource: { resource: question.resource, accountId: question.account },
      contextVariables: question.context,
    },
    identityPolicies: question.identityPolicies,
    serviceControlPolicies: question.levels.map((level) => ({
      orgIdentifier: level.id,
      policies: level.policies,
    })),
    resourceControlPolicies: [],
    resourcePolicy: namedResourcePolicy(question.resourcePolicy),
  };
}

function simulation(question, withScps) {
  const levels = withScps ? question.levels : [];
  return {
    request: {
      principal: question.principal,
      action: question.action,
      resource: { resource: question.resource, accountId: question.account },
      contextVariables: question.context,
    },
    identityPolicies: [{ name: 'AllowAll', policy: ALLOW_ALL }],
    serviceControlPolicies: levels.map((level) => ({
      orgIdentifier: level.id,
      policies: level.policies,
    })),
    resourceControlPolicies: [],
  };
}

function answer(line) {
  let id = null;
  try {
    const question = JSON.parse(line);
    id = question.id;
    if (Array.isArray(question.identityPolicies)) {
      const result = runUnsafeSimulation(overallSimulation(question), {});
      return { id, result, scope: 'all' };
    }
    const result = runUnsafeSimulation(simulation(question, true), {});
    const control = runUnsafeSimulation(simulation(question, false), {});
    return { id, result, control };
  } catch (error) {
    return { id, error: String(error && error.message ? error.message : error) };
  }
}

// Answers are collected and written once per batch of input lines: one write per line would
// cost a system call each and dominate the time spent.
let pending = [];
let flushScheduled = false;

function flush() {
  flushScheduled = false;
  if (pending.length === 0) {
    return;
  }
  const text = pending.join('');
  pending = [];
  process.stdout.write(text);
}

process.stdout.write(
  JSON.stringify({ hello: { node: process.version, simulate: packageVersion() } }) + '\n',
);

const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on('line', (line) => {
  if (line.trim() === '') {
    return;
  }
  pending.push(JSON.stringify(answer(line)) + '\n');
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
});
input.on('close', () => {
  flush();
});
