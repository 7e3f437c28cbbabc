"""moto's server, with each DynamoDB request handled whole before the next one starts.

moto's server answers requests on many threads, and its DynamoDB backend checks a
ConditionExpression and then applies the write without a lock: two conditional writes racing
on one item can both pass their condition (seen here: two "claims" of one parked item both
won, and the item was sent to Kafka twice). DynamoDB itself applies each write to an item
atomically, and the pipeline's checkpoints, leases and claims rely on it. One lock around
every DynamoDB and DynamoDB Streams request restores that; moto handles them in microseconds,
and the GIL serialises them nearly as much already, so the cost is small.
"""

import sys
import threading

from moto.core.responses import BaseResponse
from moto.dynamodb.responses import DynamoHandler
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

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
