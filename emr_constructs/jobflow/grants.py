"""A grantee that puts grants into one customer-managed policy attached to several roles.

Steps that run under a runtime role read their scripts with that role, and EMR's step runner on the nodes with
the instance role; ``Step.bind`` takes one grantee. This one gives both the same object-level grants, in a
managed policy (never an inline one: HIPAA and NIST 800-53 R5 reject inline policies), created on first use.
"""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import aws_iam as iam
from constructs import Construct


@jsii.implements(iam.IPrincipal)
class _ManagedPolicyPrincipal:
    def __init__(self, scope: Construct, id: str, roles: Sequence[iam.IRole], description: str) -> None:
        self._scope = scope
        self._id = id
        self._roles = list(roles)
        self._description = description
        self.policy: iam.ManagedPolicy | None = None

    @property
    def assume_role_action(self) -> str:
        return self._roles[0].assume_role_action

    @property
    def policy_fragment(self) -> iam.PrincipalPolicyFragment:
        return self._roles[0].policy_fragment

    @property
    def principal_account(self) -> str | None:
        return self._roles[0].principal_account

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self

    def add_to_policy(self, statement: iam.PolicyStatement) -> bool:
        return self.add_to_principal_policy(statement).statement_added

    def add_to_principal_policy(self, statement: iam.PolicyStatement) -> iam.AddToPrincipalPolicyResult:
        if self.policy is None:
            self.policy = iam.ManagedPolicy(self._scope, self._id, description=self._description, roles=self._roles)
        self.policy.add_statements(statement)
        return iam.AddToPrincipalPolicyResult(statement_added=True, policy_dependable=self.policy)


@jsii.implements(iam.IGrantable)
class SharedPolicyGrantee:
    """``IGrantable`` for ``roles`` together; ``policy`` is the managed policy once something was granted."""

    def __init__(self, scope: Construct, id: str, roles: Sequence[iam.IRole], description: str) -> None:
        if not roles:
            raise ValueError("SharedPolicyGrantee needs at least one role")
        self._principal = _ManagedPolicyPrincipal(scope, id, roles, description)

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self._principal

    @property
    def policy(self) -> iam.ManagedPolicy | None:
        return self._principal.policy
