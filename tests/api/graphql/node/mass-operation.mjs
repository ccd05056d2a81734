// Runs a mass-operation file through Geode with Crystallize's own JS client, the
// way Crystallize's CLI does, and prints what it saw as one JSON object.
//
// Reads its configuration as JSON on stdin: {server, tenantIdentifier,
// accessTokenId, accessTokenSecret, file, pageSize}. The client always builds
// https://api.crystallize.com/... URLs; `globalThis.fetch` (its transport) is
// replaced to send every request for a crystallize.com host to `server`
// instead. Other URLs (the presigned upload's, which Geode gives) go as they are.
import { readFileSync } from 'node:fs';
import { createBinaryFileManager, createClient } from '@crystallize/js-api-client';

const config = JSON.parse(readFileSync(0, 'utf8'));
const server = new URL(config.server);
const seen = [];
const realFetch = globalThis.fetch;

globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const crystallize = url.hostname === 'crystallize.com' || url.hostname.endsWith('.crystallize.com');
    const target = crystallize ? new URL(url.pathname + url.search, server) : url;
    seen.push({ asked: url.href, sent: target.href, method: init?.method ?? 'GET' });
    return input instanceof Request ? realFetch(new Request(target, input), init) : realFetch(target, init);
};

const CREATE = `#graphql
mutation REGISTER($key: String!) {
  createMassOperationBulkTask(input: {key: $key, autoStart: false}) {
    ... on BulkTaskMassOperation { id status type }
    ... on BasicError { error: message }
  }
}`;
const START = `#graphql
mutation START($id: ID!) {
  startMassOperationBulkTask(id: $id) {
    ... on BulkTaskMassOperation { id type status }
    ... on BasicError { error: message }
  }
}`;
const GET = `#graphql
query GET($id: ID!) {
  bulkTask(id: $id) {
    ... on BulkTaskMassOperation { id type status key }
    ... on BasicError { error: message }
  }
}`;
const LOGS = `#graphql
query GET_OPERATION_LOGS($operationId: ID!, $after: String, $first: Int) {
  operationLogs(after: $after, first: $first, filter: { operationId: $operationId }) {
    ... on OperationLogConnection {
      pageInfo { endCursor hasNextPage }
      edges { node { id input output message status statusCode } }
    }
  }
}`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const client = createClient({
    tenantIdentifier: config.tenantIdentifier,
    accessTokenId: config.accessTokenId,
    accessTokenSecret: config.accessTokenSecret,
});

const key = await createBinaryFileManager(client).uploadMassOperationFile(config.file);
const created = (await client.nextPimApi(CREATE, { key })).createMassOperationBulkTask;

// A key makes one task: the second time is a BasicError, read as the CLI reads it.
const reuse = (await client.nextPimApi(CREATE, { key })).createMassOperationBulkTask;

const started = (await client.nextPimApi(START, { id: created.id })).startMassOperationBulkTask;
const statuses = [started.status];
let task = started;
const deadline = Date.now() + 120_000;
while (task.status !== 'complete' && task.status !== 'error') {
    if (Date.now() > deadline) throw new Error(`task ${task.id} stayed ${task.status}`);
    await sleep(100);
    task = (await client.nextPimApi(GET, { id: created.id })).bulkTask;
    statuses.push(task.status);
}

const logs = [];
let cursor = '';
let pages = 0;
for (;;) {
    const { operationLogs } = await client.nextPimApi(LOGS, {
        operationId: created.id,
        after: cursor,
        first: config.pageSize,
    });
    pages += 1;
    logs.push(...operationLogs.edges.map((edge) => edge.node));
    if (!operationLogs.pageInfo.hasNextPage) break;
    cursor = operationLogs.pageInfo.endCursor;
}
client.close();

process.stdout.write(JSON.stringify({ key, created, reuse, started, statuses, task, logs, pages, seen }));
