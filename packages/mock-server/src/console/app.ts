// The web console's script (runs in the browser; bundled with the SDK's management client by
// `scripts/build-console.ts`). It only uses the management and `/__mock` APIs, as any client would, and follows
// the journal through `/__mock/events`.

import { bounds, type OperationId, stateMachine } from '@onenet-ota/openapi/protocol';
import { type components, createManagementClient } from '@onenet-ota/sdk';
import { isDeviceOperation } from '../core/http/device-operation.ts';
import { rangeRuleWords } from '../core/journal/journal-range.ts';
import { toleratedText } from '../request-log.ts';
import { strategyText } from '../strategy-text.ts';

type Schemas = components['schemas'];
type Entry = Schemas['JournalEntry'];
type TaskRow = { task: Schemas['Task']; stats?: Schemas['TaskStats']; devices: Schemas['DeviceTaskStatus'][] };

const query = new URLSearchParams(location.search);
const adminToken = query.get('access_token') ?? undefined;
// Its reads say they are the console's, so the journal and the terminal's request log stay the device's story.
const api = createManagementClient({
  baseUrl: location.origin,
  ...(adminToken === undefined ? {} : { adminToken }),
  fetch: (request) => {
    request.headers.set('X-Ota-Console', '1');
    return fetch(request);
  },
});
const $ = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector(selector) as T;
const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Journal entries kept in the page, by seq: the newest this many. */
const keep = 500;
const entries = new Map<number, Entry>();
/** The newest download each device was served: bytes reached, for a progress bar between its reports. */
const served = new Map<number, { end: number; total: number }>();
let tasks: TaskRow[] = [];
const devicesById = new Map<number, Schemas['Device']>();

/** What the platform said, in one line, for the header. */
function say(text: string, bad = false): void {
  const message = $('#message');
  message.textContent = text;
  message.className = bad ? 'bad' : 'muted';
}

/** The problem detail of a refused call, or nothing. */
function refusal(error: unknown): string | undefined {
  if (!error) return undefined;
  const problem = error as { title?: string; detail?: string };
  return `${problem.title ?? 'refused'}${problem.detail ? `: ${problem.detail}` : ''}`;
}

async function refreshClock(): Promise<void> {
  const { data } = await api.GET('/__mock/clock');
  if (data) $('#clock').textContent = `${data.now} (${data.mode})`;
}

async function refresh(): Promise<void> {
  const { data: products, error } = await api.GET('/api/v1/products', { params: { query: { limit: 500 } } });
  if (!products) return say(refusal(error) ?? 'cannot list products', true);
  const rows: TaskRow[] = [];
  const inventory: string[] = [];
  devicesById.clear();
  for (const product of products.items) {
    const path = { productId: product.id };
    const [devices, packages, productTasks] = await Promise.all([
      api.GET('/api/v1/products/{productId}/devices', { params: { path, query: { limit: 500 } } }),
      api.GET('/api/v1/products/{productId}/packages', { params: { path, query: { limit: 500 } } }),
      api.GET('/api/v1/products/{productId}/tasks', { params: { path, query: { limit: 500 } } }),
    ]);
    for (const device of devices.data?.items ?? []) devicesById.set(device.devId, device);
    inventory.push(inventoryOf(product, devices.data?.items ?? [], packages.data?.items ?? []));
    for (const task of productTasks.data?.items ?? []) {
      const taskPath = { productId: product.id, taskId: task.id };
      const [stats, statuses] = await Promise.all([
        api.GET('/api/v1/products/{productId}/tasks/{taskId}/stats', { params: { path: taskPath } }),
        api.GET('/api/v1/products/{productId}/tasks/{taskId}/devices', {
          params: { path: taskPath, query: { limit: 500 } },
        }),
      ]);
      rows.push({ task, ...(stats.data ? { stats: stats.data } : {}), devices: statuses.data?.items ?? [] });
    }
  }
  tasks = rows;
  $('#inventory').innerHTML = inventory.join('') || '<p class="muted">No products yet.</p>';
  $('#inventory').className = '';
  renderTasks();
  renderDevices();
}

function inventoryOf(product: Schemas['Product'], devices: Schemas['Device'][], packages: Schemas['Package'][]) {
  const deviceList = devices
    .map(
      (d) =>
        `<code>${d.devId}</code> ${escapeHtml(d.name)} <span class="muted">${escapeHtml(d.sVersion ?? d.fVersion ?? 'no version')}</span>`,
    )
    .join(', ');
  const packageList = packages
    .map(
      (p) =>
        `<code>${p.id}</code> ${escapeHtml(p.module)} ${escapeHtml(p.targetVersion)} <span class="muted">${p.size} B, md5 ${p.md5}</span>`,
    )
    .join('<br>');
  return `<p><b>${escapeHtml(product.name)}</b> <code>${escapeHtml(product.id)}</code> <span class="muted">manuf ${escapeHtml(product.manuf)} model ${escapeHtml(product.model)}</span><br>
devices: ${deviceList || '<span class="muted">none</span>'}<br>packages: ${packageList || '<span class="muted">none</span>'}</p>`;
}

/** The strategy as a tester reads it: "signal > 10, battery > 20 %, retry 3 × 300 s, start manual, deadline …". */
function strategyOf(strategy: Schemas['TaskStrategy']): string {
  return escapeHtml(strategyText(strategy));
}

function renderTasks(): void {
  const body = tasks
    .map(({ task, stats }) => {
      const counts = stats
        ? Object.entries(stats.byState)
            .filter(([, n]) => n > 0)
            .map(([state, n]) => `${state} ${n}`)
            .join(', ')
        : '';
      // Only what the task's state takes (the spec's `x-ota-state-machine.taskStates`): a stopped task offers none.
      const buttons = Object.keys(stateMachine.taskStates[task.state].actions)
        .map(
          (action) =>
            `<button data-task="${task.id}" data-product="${task.productId}" data-action="${action}">${action}</button>`,
        )
        .join(' ');
      return `<tr data-task-row="${task.id}"><td><code>${task.id}</code><br>${escapeHtml(task.name)}</td><td>${escapeHtml(task.module)} → ${escapeHtml(task.targetVersion)}<br><span class="muted">${task.packageId}${task.diffId ? ` diff ${task.diffId}` : ''}</span></td>
<td class="state" data-task-state>${task.state}</td><td>${counts}</td><td class="muted">${strategyOf(task.strategy)}</td><td>${buttons}</td></tr>`;
    })
    .join('');
  $('#tasks').innerHTML = body
    ? `<table><thead><tr><th>task</th><th>package</th><th>state</th><th>devices</th><th>strategy</th><th>control</th></tr></thead><tbody>${body}</tbody></table>`
    : '<p class="muted">No tasks. Create one with the management API (POST /api/v1/products/{productId}/tasks).</p>';
  $('#tasks').className = '';
}

/** Faults a tester puts on a device's next download, by what they look like from the device. */
const faultChoices: Record<string, Schemas['FaultAction']> = {
  'connection reset after 1 KiB': { kind: 'reset', afterBytes: 1024 },
  'body cut after 1 KiB': { kind: 'truncate', afterBytes: 1024 },
  'stall 5 s after 1 KiB': { kind: 'stall', afterBytes: 1024, ms: 5000 },
  'corrupt byte 100': { kind: 'corrupt', atByte: 100 },
  'Content-Range shifted by 1': { kind: 'wrong-content-range', shift: 1 },
  'whole file for a Range (200)': { kind: 'ignore-range' },
};

function progressOf(status: Schemas['DeviceTaskStatus']): number {
  if (status.state === 'succeeded' || status.state === 'upgrading') return 100;
  const bytes = served.get(status.devId);
  // The state is as last read, up to a second old: a device read as pending that is being served bytes has checked
  // its token since (or downloads without checking, which the platform serves too), so its bar moves with them.
  const fetching = status.state === 'downloading' || status.state === 'pending';
  const byBytes = bytes && fetching ? Math.floor(((bytes.end + 1) * 100) / bytes.total) : 0;
  return Math.min(100, Math.max(status.progress, byBytes));
}

/** The fault each device's picker shows: kept across renders, which happen while a tester is choosing. */
const chosenFault = new Map<number, string>();

function renderDevices(): void {
  const options = (devId: number) =>
    Object.keys(faultChoices)
      .map((label) => `<option${chosenFault.get(devId) === label ? ' selected' : ''}>${escapeHtml(label)}</option>`)
      .join('');
  const body = tasks
    .flatMap(({ task, devices }) =>
      devices.map((status) => {
        const progress = progressOf(status);
        const device = devicesById.get(status.devId);
        return `<tr data-dev="${status.devId}" data-task="${task.id}"><td><code>${status.devId}</code> ${escapeHtml(device?.name ?? '')}</td><td><code>${task.id}</code></td>
<td class="state state-${status.state}" data-state>${status.state}</td>
<td><span class="bar" title="${progress} %"><span style="width:${progress}%"></span></span> <span data-progress>${progress}</span> %</td>
<td>${status.lastCode !== undefined && status.lastCode > bounds.Step.maximum ? status.lastCode : ''}</td><td>${status.retriesUsed}</td><td class="muted">${escapeHtml(status.fromVersion ?? '')} → ${escapeHtml(status.targetVersion)}</td>
<td><select data-fault-choice="${status.devId}">${options(status.devId)}</select> <button data-fault="${status.devId}">on next download</button></td></tr>`;
      }),
    )
    .join('');
  $('#devices').innerHTML = body
    ? `<table><thead><tr><th>device</th><th>task</th><th>state</th><th>progress</th><th>last code</th><th>retries</th><th>version</th><th>fault</th></tr></thead><tbody>${body}</tbody></table>`
    : '<p class="muted">No device is in a task yet.</p>';
  $('#devices').className = '';
}

function answerOf(entry: Entry): string {
  const status = entry.response.status;
  const errno = entry.errno === undefined ? '' : ` errno ${entry.errno}`;
  return `<span class="${status >= 400 || (entry.errno ?? 0) > 0 ? 'bad' : ''}">${status}${errno}</span>`;
}

function detailOf(entry: Entry): string {
  const parts: string[] = [];
  const range = entry.request.headers.range;
  // What the platform made of a Range it did not serve as asked: the rule of its dialect, as the journal says.
  const words = rangeRuleWords(entry.range?.rule);
  const decided = words === undefined ? '' : ` <span class="warn">(${escapeHtml(words)})</span>`;
  if (range)
    parts.push(
      `asked ${escapeHtml(range)} → ${escapeHtml(entry.response.headers['content-range'] ?? `${entry.response.bytesSent} B`)}${decided}`,
    );
  const body = entry.request.body?.json as { step?: number; result?: number } | undefined;
  if (body?.step !== undefined) parts.push(`step ${body.step}`);
  if (body?.result !== undefined) parts.push(`result ${body.result}`);
  if (entry.faults.length > 0) parts.push(`<b class="bad">fault ${entry.faults.join(', ')}</b>`);
  if (entry.response.aborted) parts.push('<span class="bad">aborted</span>');
  if (entry.note) parts.push(escapeHtml(entry.note));
  // Served although OneNET's docs or HTTP say otherwise (lines ended by LF alone, a documented parameter left out).
  if (entry.tolerated)
    parts.push(`<span class="warn">tolerated: ${escapeHtml(entry.tolerated.map(toleratedText).join(', '))}</span>`);
  return parts.join(' · ');
}

let journalQueued = false;
function renderJournal(): void {
  journalQueued = false;
  const filter = $<HTMLInputElement>('#filter').value.trim().toLowerCase();
  const open = new Set([...document.querySelectorAll<HTMLElement>('#journal tr.open')].map((r) => r.dataset.seq));
  const shown = [...entries.values()]
    .reverse()
    .filter(
      (e) =>
        !filter ||
        `${e.devId ?? ''} ${e.operation ?? ''} ${e.response.status} ${e.errno ?? ''} ${e.request.path}`
          .toLowerCase()
          .includes(filter),
    );
  $('#journal tbody').innerHTML = shown
    .map((e) => {
      const transcript = open.has(String(e.seq))
        ? `<tr class="transcript"><td colspan="6"><pre>${escapeHtml(JSON.stringify({ request: e.request, response: e.response }, null, 2))}</pre></td></tr>`
        : '';
      return `<tr class="row${transcript ? ' open' : ''}" data-seq="${e.seq}"><td>${e.seq}</td><td class="mono">${escapeHtml(e.time)}</td><td>${e.devId ?? ''}</td><td>${escapeHtml(e.operation ?? e.request.path)}</td><td>${answerOf(e)}</td><td>${detailOf(e)}</td></tr>${transcript}`;
    })
    .join('');
  $('#journal-count').textContent = `${shown.length} of the newest ${entries.size} requests`;
}
const queueJournal = () => {
  if (journalQueued) return;
  journalQueued = true;
  setTimeout(renderJournal, 100);
};

/**
 * Reads the platform again soon after something changed it: at most about once a second while it keeps changing,
 * and always once more after the last change.
 */
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let changedSinceRead = false;
const queueRefresh = (): void => {
  changedSinceRead = true;
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    changedSinceRead = false;
    await Promise.all([refresh(), refreshClock()]).catch((error: unknown) => say(String(error), true));
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      if (changedSinceRead) queueRefresh();
    }, 850);
  }, 150);
};
/** The operations a device checks for a task with, in every generation. */
const taskChecks = new Set<string>([
  'checkTask',
  'checkTaskLegacy',
  'studioCheckTask',
  'fuseCheckTask',
] satisfies OperationId[]);
const isDeviceCall = (entry: Entry) => entry.operation !== null && isDeviceOperation(entry.operation);

function onEntry(entry: Entry): void {
  entries.delete(entry.seq);
  entries.set(entry.seq, entry);
  for (const seq of entries.keys()) {
    if (entries.size <= keep) break;
    entries.delete(seq);
  }
  // The platform's own reading of the answer's Content-Range, journaled with the call.
  const range = entry.range?.served;
  if (entry.devId !== undefined && range && !entry.response.aborted)
    served.set(entry.devId, { end: range.end, total: range.length });
  // A device checking for a task starts over: bytes served before belong to its last download, maybe another task's.
  if (entry.devId !== undefined && entry.operation !== null && taskChecks.has(entry.operation))
    served.delete(entry.devId);
  queueJournal();
  // Bars move with the bytes served; states and codes come from the platform when it next is read.
  if (entry.devId !== undefined && range) renderDevices();
  if (isDeviceCall(entry) || entry.request.method !== 'GET') queueRefresh();
}

async function follow(): Promise<void> {
  const { data } = await api.GET('/__mock/journal', { params: { query: { limit: 1 } } });
  const since = Math.max(0, (data?.nextSeq ?? 1) - 1 - keep);
  const params = new URLSearchParams({ since: String(since), ...(adminToken ? { access_token: adminToken } : {}) });
  const events = new EventSource(`/__mock/events?${params}`);
  const live = $('#live');
  events.onopen = () => {
    live.textContent = 'live';
    live.dataset.live = 'true';
  };
  events.onerror = () => {
    live.textContent = 'reconnecting…';
    live.dataset.live = 'false';
  };
  events.addEventListener('entry', (event) => onEntry(JSON.parse((event as MessageEvent<string>).data) as Entry));
}

document.addEventListener('click', async (event) => {
  const target = event.target as HTMLElement;
  const row = target.closest<HTMLElement>('#journal tr.row');
  if (row) {
    row.classList.toggle('open');
    return renderJournal();
  }
  if (target.dataset.advance) {
    const { error } = await api.POST('/__mock/clock/advance', { body: { ms: Number(target.dataset.advance) } });
    say(refusal(error) ?? `advanced the clock ${Number(target.dataset.advance) / 60_000} min`, Boolean(error));
    return void Promise.all([refreshClock(), refresh()]);
  }
  if (target.dataset.action && target.dataset.task && target.dataset.product) {
    const action = target.dataset.action as Schemas['TaskAction'];
    const { error } = await api.POST('/api/v1/products/{productId}/tasks/{taskId}/{action}', {
      params: { path: { productId: target.dataset.product, taskId: target.dataset.task, action } },
    });
    say(refusal(error) ?? `${action}: ${target.dataset.task}`, Boolean(error));
    return refresh();
  }
  if (target.dataset.fault) {
    const choice = target.closest('tr')?.querySelector<HTMLSelectElement>('[data-fault-choice]')?.value ?? '';
    const action = faultChoices[choice];
    if (!action) return;
    const devId = Number(target.dataset.fault);
    const { data, error } = await api.POST('/__mock/faults', {
      body: { match: { devId, operation: 'downloadPackage' }, action, times: 1 },
    });
    say(refusal(error) ?? `fault ${data?.id}: ${choice} on device ${devId}'s next download`, Boolean(error));
  }
});
$('#filter').addEventListener('input', renderJournal);
document.addEventListener('change', (event) => {
  const picker = event.target as HTMLSelectElement;
  if (picker.dataset.faultChoice) chosenFault.set(Number(picker.dataset.faultChoice), picker.value);
});

await Promise.all([refresh(), refreshClock()]);
await follow();
