"""The ledger: opens the chain, the keys, the records and the index, and wires the services.

``Ledger.open(settings)`` connects to the configured chain, deploys the contracts on
first use, opens the stores in the data directory and hands each service the narrow
things it uses: the contract wrappers, each with the one signer resolver
(:class:`~ledger.mechanisms.signers.Signers`), the chain clock
(:class:`~ledger.chain.clock.ChainClock`), the index (:class:`~ledger.store.sql.EventStore`)
and its follower (:class:`~ledger.indexer.follower.Indexer`), the effect log
(:class:`~ledger.effects.service.Effects`), the policy book
(:class:`~ledger.policies.PolicyBook`), the departments
(:class:`~ledger.departments.Departments`) and their jurisdictions
(:class:`~ledger.jurisdictions.Jurisdictions`). ``close()`` closes them again. The CLI, the
API and the demo act through those services; none of them talks to web3 directly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from eth_typing import ChecksumAddress

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.chain.clock import ChainClock
from ledger.chain.deployment import (
    ContractRef,
    Deployment,
    chain_identity,
    load_deployment,
    save_deployment,
)
from ledger.chain.factory import ChainHandle, make_web3
from ledger.chain.identity import (
    LedgerIdentity,
    check_chain,
    check_settings,
    has_ledger,
    node_address,
    read_identity,
    write_identity,
)
from ledger.chain.keystore import Keystore, Signer
from ledger.chain.tx import Transactor
from ledger.chain.types import TxRef
from ledger.departments import Departments
from ledger.effects.service import Effects
from ledger.errors import ConfigError
from ledger.indexer.follower import Indexer
from ledger.indexer.sources import EmbeddedLogSource
from ledger.jurisdictions import Jurisdictions
from ledger.knowledge.store import RecordStore
from ledger.maturity.service import ScoreFunction, Scorer, Web3Blocks
from ledger.mechanisms.attestations import AttestationsContract
from ledger.mechanisms.base import ContractWrapper
from ledger.mechanisms.directory import DirectoryContract
from ledger.mechanisms.drills import DrillsContract
from ledger.mechanisms.effectlog import EffectLogContract
from ledger.mechanisms.findings import FindingsContract
from ledger.mechanisms.policies import PolicyRegistryContract
from ledger.mechanisms.scoreboard import ScoreBoardContract
from ledger.mechanisms.sharing import DataSharingContract
from ledger.mechanisms.signers import ADMIN_KEY, Signers, department_key
from ledger.mechanisms.systems import SystemsContract
from ledger.mechanisms.workorders import WorkOrdersContract
from ledger.policies import AnchorResult, PolicyBook
from ledger.settings import Settings
from ledger.store.sql import EventStore

__all__ = ["ADMIN_KEY", "AnchorResult", "Ledger", "TxRef", "department_key", "open_ledger"]

W = TypeVar("W", bound=ContractWrapper)


class Ledger:
    """A govledger instance over one data directory and one chain."""

    def __init__(
        self,
        settings: Settings,
        handle: ChainHandle,
        keystore: Keystore,
        deployment: Deployment,
        transactor: Transactor,
    ) -> None:
        self.settings = settings
        self.home = settings.resolved_home()
        self.handle = handle
        self.w3 = handle.w3
        self.keystore = keystore
        self.deployment = deployment
        self.tx = transactor
        self.records = RecordStore(self.home)
        self.store = EventStore.for_ledger(settings.index_url(), deployment)
        # One signer resolver, handed to every wrapper: a wrapper's write method takes
        # who acts (a department id) and resolves its key here. It asks the Directory
        # (a read-only wrapper) whether the department holds the operation's role.
        roles = DirectoryContract(transactor, deployment.address("Directory"))
        signers = Signers(keystore, roles, transactor)
        self.signers = signers
        self.directory = DirectoryContract(transactor, deployment.address("Directory"), signers)

        def wrap(cls: type[W], name: str) -> W:
            return cls(transactor, deployment.address(name), signers)

        self.policies = wrap(PolicyRegistryContract, "PolicyRegistry")
        self.sharing = wrap(DataSharingContract, "DataSharing")
        self.orders = wrap(WorkOrdersContract, "WorkOrders")
        self.drills = wrap(DrillsContract, "Drills")
        self.systems = wrap(SystemsContract, "Systems")
        self.attestations = wrap(AttestationsContract, "Attestations")
        self.scoreboard = wrap(ScoreBoardContract, "ScoreBoard")
        self.findings = wrap(FindingsContract, "Findings")
        self.policy_book = PolicyBook(self.policies, self.records, self.store)
        self.departments = Departments(self.directory, keystore, transactor)
        self.jurisdictions = Jurisdictions(self.directory)
        self.clock = ChainClock(handle)
        backend = handle.backend
        self.indexer = Indexer(
            self.w3,
            deployment,
            self.store,
            EmbeddedLogSource(backend) if backend is not None else None,
        )
        self.effects = Effects(
            self.home / "effects",
            EffectLogContract(transactor, deployment.address("EffectLog")),
            self.signers,
            self.clock,
            self.store,
        )
        store = self.store
        self.scorer = Scorer(
            events=lambda to_block: store.events(to_block=to_block),
            blocks=Web3Blocks(self.w3),
            records=self.policy_book.stored_record,
            effects=self.effects.view,
            chain_id=deployment.chain_id,
        )

    # -- lifecycle -----------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings, *, create: bool = True) -> Ledger:
        """Connect, and deploy the contracts if this home has no ledger yet.

        The home records the chain its ledger was made on (:mod:`ledger.chain.identity`);
        opening it on any other chain, or without the node it was made on, is a
        :class:`ConfigError` and deploys nothing. With ``create=False`` a home that holds
        no ledger is an error too, and nothing is written. Everything the ledger creates
        in its home is private to its user (directories 0700, files 0600).
        """
        home = settings.resolved_home()
        identity = read_identity(home) if home.is_dir() else None
        existing = identity is not None or (home.is_dir() and has_ledger(home))
        if not create and not existing:
            raise ConfigError(
                f"no ledger in {home}: check --home or GOVLEDGER_HOME, or make one with"
                " `govledger demo` or `govledger department add`"
            )
        check_settings(home, identity, settings.rpc_url)
        os.umask(0o077)  # the process's files: keys, records, scores, the index, the chain
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = make_web3(settings)
        try:
            chain_id, genesis = chain_identity(handle.w3)
            if identity is not None:
                check_chain(home, identity, chain_id, genesis)
            password = (
                settings.keystore_password.get_secret_value()
                if settings.keystore_password is not None
                else None
            )
            keystore = Keystore(home / "keystore", password)
            transactor = Transactor(handle.w3, handle.w3.eth.accounts)
            deployment = load_deployment(home, handle.w3)
            if deployment is None and existing and identity is None:
                raise ConfigError(
                    f"the ledger in {home} was deployed on another chain than the one"
                    f" configured now (chain {chain_id}, genesis {genesis}); nothing was"
                    " deployed. Point GOVLEDGER_RPC_URL at its node, or use another home"
                )
            if identity is None:
                write_identity(
                    home,
                    LedgerIdentity(
                        chain="rpc" if handle.kind == "rpc" else "embedded",
                        chain_id=chain_id,
                        genesis_hash=genesis,
                        node=node_address(settings.rpc_url) if settings.rpc_url else None,
                    ),
                )
            if deployment is None or set(CONTRACT_NAMES) - set(deployment.contracts):
                deployment = _deploy(home, handle, keystore, transactor, deployment)
            return cls(settings, handle, keystore, deployment, transactor)
        except BaseException:
            handle.close()
            raise

    def close(self) -> None:
        self.effects.close()
        self.store.close()
        self.handle.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- accounts ------------------------------------------------------------

    @property
    def admin(self) -> Signer:
        """The directory admin's key (``signers.admin()``)."""
        return self.signers.admin()

    # -- maturity ----------------------------------------------------------------

    @property
    def score(self) -> ScoreFunction:
        """The maturity result (MATURITY.md) for the city or one department, under spec
        ``spec_version`` (default: the latest).

        ``events`` replaces the index as evidence (an auditor's fresh read of the chain).
        """
        return self.scorer.score


@contextmanager
def open_ledger(settings: Settings) -> Iterator[Ledger]:
    ledger = Ledger.open(settings)
    try:
        yield ledger
    finally:
        ledger.close()


def _constructor_args(name: str, deployment: Deployment, admin: ChecksumAddress) -> tuple[Any, ...]:
    """Directory takes its admin; PolicyRegistry the directory; every mechanism both,
    and Findings the ScoreBoard as well."""
    if name == "Directory":
        return (admin,)
    if name == "PolicyRegistry":
        return (deployment.address("Directory"),)
    both = (deployment.address("Directory"), deployment.address("PolicyRegistry"))
    if name == "Findings":
        return (*both, deployment.address("ScoreBoard"))
    return both


def _deploy(
    home: Path,
    handle: ChainHandle,
    keystore: Keystore,
    transactor: Transactor,
    deployment: Deployment | None = None,
) -> Deployment:
    """Deploy every contract not yet in ``deployment``, the admin key as directory admin.

    The record is saved after each contract, so an interrupted deployment resumes.
    """
    admin_address = (
        keystore.address(ADMIN_KEY) if keystore.has(ADMIN_KEY) else keystore.create(ADMIN_KEY)
    )
    transactor.fund(admin_address)
    admin = keystore.signer(ADMIN_KEY)
    if deployment is None:
        chain_id, genesis = chain_identity(handle.w3)
        deployment = Deployment(chain_id, genesis)
    for name in CONTRACT_NAMES:
        if name in deployment.contracts:
            continue
        args = _constructor_args(name, deployment, admin_address)
        receipt = transactor.deploy(admin, load_artifact(name), *args)
        deployment.contracts[name] = ContractRef(
            address=cast(ChecksumAddress, receipt["contractAddress"]),
            tx_hash=receipt["transactionHash"].to_0x_hex(),
            block=int(receipt["blockNumber"]),
        )
        save_deployment(home, deployment)
    return deployment
