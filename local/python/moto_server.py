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

A transaction copies only the items it writes, not the tables. moto deep-copies each table a
transaction touches (once per item of the transaction) to roll back on failure, so a 100-put
park into a table of 20,000 items copied two million items: the bench's fallback step (20,000
parks) took moto to 20 s per request and 23 GB, and the kernel killed it; and with one copy per
table, the retry function's batched claims and deletes (a transaction per 100 items) still
copied the whole table for each. Now each write of a transaction first records the item it
replaces (a copy of it, or that there was none), and a failed transaction puts those back, last
write first: the same state as the table copy gave, at the cost of the items written.

A Query does not sort the whole table first. moto's Query reads all_items(), every item of the
table sorted by key, keeps those that match, and sorts them again: a Query of one key cost a sort
of the whole table, 368 ms on a 20,000-item table here (an index query 1.7 s), and the retry
drain reads each key it drains, so draining 20,000 parked events was moto sorting the table
2,000 times. A query of the table's key now reads that key's partition only, and an index query
reads the items unsorted: both are sorted after filtering, by keys that are unique, so the
results and their order are the same.
"""

import copy
import sys
import threading
import types

import moto.dynamodb.models as ddb_models

from moto.core.responses import BaseResponse
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodb.models.dynamo_type import DynamoType, Item
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


def _item_journal(transact_write_items):  # type: ignore[no-untyped-def]
    def transact(self, transact_items):  # type: ignore[no-untyped-def]
        journal: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = []

        def recorded(write, key_of):  # type: ignore[no-untyped-def]
            def record_then_write(table_name, *args, **kwargs):  # type: ignore[no-untyped-def]
                table = self.get_table(table_name)
                attrs = key_of(*args, **kwargs)
                hash_key = DynamoType(attrs[table.hash_key_attr])
                range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
                prior = table.get_item(hash_key, range_key)
                journal.append((table, hash_key, range_key, copy.deepcopy(prior)))
                return write(table_name, *args, **kwargs)

            return record_then_write

        def put_back() -> None:
            for table, hash_key, range_key, prior in reversed(journal):
                if range_key is None:
                    if prior is None:
                        table.items.pop(hash_key, None)
                    else:
                        table.items[hash_key] = prior
                elif prior is None:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = prior

        # For this call only (DynamoDB requests run one at a time, above): moto's table "copy" is
        # the table itself, and the backend's writes record what they replace.
        ddb_models.copy = types.SimpleNamespace(
            deepcopy=lambda obj, memo=None: obj if isinstance(obj, Table) else copy.deepcopy(obj, memo)
        )
        self.put_item = recorded(self.put_item, lambda item_attrs, *a, **k: item_attrs)
        self.delete_item = recorded(self.delete_item, lambda key, *a, **k: key)
        self.update_item = recorded(self.update_item, lambda key, *a, **k: key)
        try:
            return transact_write_items(self, transact_items)
        except BaseException:
            put_back()
            raise
        finally:
            ddb_models.copy = copy
            del self.put_item, self.delete_item, self.update_item

    return transact


def _query_without_table_sort(query):  # type: ignore[no-untyped-def]
    def query_unsorted(self, hash_key, *args, **kwargs):  # type: ignore[no-untyped-def]
        index_name = kwargs["index_name"] if "index_name" in kwargs else args[6] if len(args) > 6 else None
        if index_name:
            # moto sorts its results by the index's key and then the table's, a total order:
            # the order it reads the items in does not matter.
            items = [i for hash_set in self.items.values() for i in hash_set.values()] if self.range_key_attr else list(self.items.values())
        elif self.range_key_attr and hash_key is not None:
            # The key's partition: moto keeps the items of that hash key and sorts them by range key.
            items = list(self.items.get(hash_key, {}).values())
        else:
            return query(self, hash_key, *args, **kwargs)
        # Safe as an attribute of the table: _DYNAMODB lets one DynamoDB request run at a time.
        self.all_items = lambda: items
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    return query_unsorted


Table.query = _query_without_table_sort(Table.query)  # type: ignore[method-assign]

ddb_models.DynamoDBBackend.transact_write_items = _item_journal(  # type: ignore[method-assign]
    ddb_models.DynamoDBBackend.transact_write_items
)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
