"""moto's server, with each DynamoDB request handled whole before the next one starts.

moto's server answers requests on many threads, and its DynamoDB backend checks a
ConditionExpression and then applies the write without a lock: two conditional writes racing
on one item can both pass their condition (seen here: two "claims" of one parked item both
won, and the item was sent to Kafka twice). DynamoDB itself applies each write to an item
atomically, and the pipeline's checkpoints, leases and claims rely on it. One lock around
every DynamoDB and DynamoDB Streams request restores that; moto handles them in microseconds,
and the GIL serialises them nearly as much already, so the cost is small.

A transaction's backup shares its table's stream history. moto's TransactWriteItems deep-copies
each table it touches, once per item of the transaction, to roll back on failure, and the copy
included every stream record the table ever had (moto keeps them all). A long-running stack
(the chaos suite, then a demo) made each park slower than the last, and moto grew by tens of
MB a second: a demo on a moto the chaos suite had used gave up waiting for the pollers to park.
The records are append-only history, so the backup now keeps the same list; a rolled-back
transaction's records, if any, stay in it (the retry function reads the items themselves).

A transaction copies each table it touches once, not once per item. moto's loop deep-copies
the table for every item of the transaction and keeps only the last copy per table, so a
100-put park into a table of 20,000 items copied two million items: the bench's fallback step
(20,000 parks) took moto to 20 s per request and 23 GB, and the kernel killed it. The copy is
made before the first write, so the one copy is the state the loop's copies would all have been.
"""

import copy
import sys
import threading
import types

import moto.dynamodb.models as ddb_models

from moto.core.responses import BaseResponse
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.server import main

_DYNAMODB = threading.Lock()


def _one_at_a_time(handler: type[BaseResponse]) -> None:
    call_action = handler.call_action

    def serialised(self: BaseResponse):  # type: ignore[no-untyped-def]
        with _DYNAMODB:
            return call_action(self)

    handler.call_action = serialised  # type: ignore[method-assign]


_one_at_a_time(DynamoHandler)
_one_at_a_time(DynamoDBStreamsHandler)


def _shard_copy(self: StreamShard, memo: dict) -> StreamShard:  # type: ignore[type-arg]
    copied = StreamShard.__new__(StreamShard)
    copied.__dict__.update(self.__dict__)
    # The table being copied is in memo already (deepcopy records an object before its state).
    copied.table = memo.get(id(self.table), self.table)
    return copied


StreamShard.__deepcopy__ = _shard_copy  # type: ignore[attr-defined]


def _one_backup_per_table(transact_write_items):  # type: ignore[no-untyped-def]
    def transact(self, transact_items):  # type: ignore[no-untyped-def]
        backups: dict[int, Table] = {}

        def deepcopy(obj, memo=None):  # type: ignore[no-untyped-def]
            if not isinstance(obj, Table):
                return copy.deepcopy(obj, memo)
            if id(obj) not in backups:
                backups[id(obj)] = copy.deepcopy(obj, memo)
            return backups[id(obj)]

        # The module's own `copy` name, for this call only: DynamoDB requests run one at a time (above).
        ddb_models.copy = types.SimpleNamespace(deepcopy=deepcopy)
        try:
            return transact_write_items(self, transact_items)
        finally:
            ddb_models.copy = copy

    return transact


ddb_models.DynamoDBBackend.transact_write_items = _one_backup_per_table(  # type: ignore[method-assign]
    ddb_models.DynamoDBBackend.transact_write_items
)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
