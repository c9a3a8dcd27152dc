// casebot's command line. Composition and printing only; the work is in app/ and core/.

import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import iconv from 'iconv-lite';
import { ArchiveBundleReader } from '../adapters/bundle/archive-bundle-reader';
import { processMailbox, type PassReport } from '../app/process-mailbox';
import { watchMailbox } from '../app/watch-mailbox';
import { loadConfig, type Config } from '../config/load';
import { projectRoot } from '../config/paths';
import { analyzeBundle } from '../core/analyze/analyze-bundle';
import { DEFAULT_ANSI_CODE_PAGE } from '../core/analyze/decode-text';
import { formatReport, reportJson } from '../core/analyze/format-report';
import { DEFAULT_BUNDLE_LIMITS } from '../core/limits';
import type { LogFileInput } from '../core/types';
import type { Problem } from '../core/intake/problem';
import { describeProblems, type DescribeProblem } from '../core/draft/templates';
import { logFromFile } from '../knowledge/log-files';
import { loadKnowledge, readKnowledge } from '../knowledge/load';
import { loadTemplates, templateProblems } from '../knowledge/load-templates';
import { runRuleFixtures } from '../knowledge/run-fixtures';
import { readFolder } from '../knowledge/log-files';
import { archiveMailbox, createCasebot, type Casebot } from '../main';
import { caseQuery, findSimilar, learnNormalRuns, synonymsOf } from '../app/case-memory';
import { learnFromArchive } from '../app/learn-archive';
import { findCaseId } from '../core/case/case-id';
import { similarCasesText } from '../core/memory/note';
import { memoryQuery } from '../core/memory/query';
import { makeDigest, queueDigest } from '../app/send-digest';
import { deliverOutbox } from '../app/deliver-outbox';
import { replayQuarantine } from '../app/replay-quarantine';
import { emptyReport } from '../app/casebot-deps';
import { conversationOrder, eventLabel } from '../core/commands/event-view';
import type { Analysis } from '../core/types';
import { draftOutcomes, draftStats, sinceOf, statsTable } from '../core/stats/draft-outcomes';
import type { CaseSummary } from '../ports/case-store';
import { SqliteCaseStore } from '../adapters/sqlite/sqlite-store';
import { checkConnection } from './check-connection';
import { consoleLogger } from './console-logger';
import { CliError, describeError, EXIT } from './exit';
import { plural } from './plural';

const DEFAULT_CONFIG = () => path.join(projectRoot(), 'config', 'default.yaml');

/** Runs one command; returns its exit code (see EXIT) and reports any failure in one line on stderr. */
export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const version = (JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  // exitOverride: commander throws instead of exiting, so a usage error gets its own exit code.
  // Set first: the commands below inherit it.
  const program = new Command('casebot')
    .description('Drafts the next reply of Windows upgrade-failure cases from the team mailbox.')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(casebot help <command> for its options)');

  program
    .command('run')
    .description('process the mailbox: ingest mail, analyze bundles, store drafts; keeps watching unless --once')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .option('--once', 'one pass, then exit')
    .option('-q, --quiet', 'no info log lines')
    .action(async (opts: { config: string; once?: boolean; quiet?: boolean }) => {
      exitCode = await run(opts.config, Boolean(opts.once), Boolean(opts.quiet));
    });

  program
    .command('demo')
    .description('copy mailbox-fixtures/demo to var/demo and run one pass on it with config/default.yaml')
    .option('-q, --quiet', 'no info log lines')
    .action(async (opts: { quiet?: boolean }) => {
      const root = projectRoot();
      const work = path.join(root, 'var', 'demo');
      fs.rmSync(work, { recursive: true, force: true });
      fs.mkdirSync(work, { recursive: true });
      fs.cpSync(path.join(root, 'mailbox-fixtures', 'demo'), path.join(work, 'mailbox'), { recursive: true });
      process.stdout.write(`Fresh copy of mailbox-fixtures/demo in ${path.relative(process.cwd(), work) || work}\n`);
      exitCode = await run(DEFAULT_CONFIG(), true, Boolean(opts.quiet));
    });

  program
    .command('analyze <bundle>')
    .description('analyze a log bundle: a zip, a folder or one log file')
    .option('--json', 'print the documented JSON shape')
    .option('--format <format>', 'text (Chinese report) or md (Markdown for a case)', 'text')
    .option('--explain', 'show each piece of evidence with the lines around it')
    .option('--code-page <name>', 'how a log line that is not UTF-8 is read (the ANSI code page of the machine)', DEFAULT_ANSI_CODE_PAGE)
    .action(async (target: string, opts: { json?: boolean; format: string; explain?: boolean; codePage: string }) => {
      if (opts.format !== 'text' && opts.format !== 'md') throw new CliError(`--format must be text or md, not ${opts.format}`, EXIT.usage);
      if (!iconv.encodingExists(opts.codePage)) throw new CliError(`--code-page: unknown encoding ${opts.codePage}`, EXIT.usage);
      const knowledge = loadKnowledge(path.join(projectRoot(), 'knowledge'));
      const { files, problems } = await readTarget(target).catch((err: unknown) => {
        throw new CliError(describeError(err), EXIT.unreadable);
      });
      const analysis = await analyzeBundle(files, knowledge, { contextLines: opts.explain ? 3 : 0, ansiCodePage: opts.codePage });
      analysis.problems.unshift(...problems);
      const describe = standaloneDescribe();
      process.stdout.write(
        opts.json ? JSON.stringify(reportJson(analysis, describe), null, 2) + '\n' : formatReport(analysis, describe, opts.format),
      );
      // The report still says why (a corrupt archive, an empty folder); the exit code tells a script.
      if (files.length === 0) exitCode = EXIT.unreadable;
    });

  const rules = program.command('rules').description('list the analyzer rules');
  rules.action(() => {
    const { knowledge, issues } = readKnowledge(path.join(projectRoot(), 'knowledge'));
    for (const r of knowledge.rules) {
      process.stdout.write(`${r.id.padEnd(28)} ${r.category.padEnd(15)} ${r.level.padEnd(6)} ${r.setupdiag.join(', ') || '-'}\n`);
    }
    for (const i of issues) process.stdout.write(`✖ ${i.file}: ${i.message}\n`);
    exitCode = issues.length > 0 ? EXIT.error : EXIT.ok;
  });
  rules
    .command('test')
    .description('check every rule against its fixtures')
    .action(async () => {
      const loaded = readKnowledge(path.join(projectRoot(), 'knowledge'));
      for (const i of loaded.issues) process.stdout.write(`✖ ${i.file}: ${i.message}\n`);
      const results = await runRuleFixtures(loaded.knowledge, loaded.ruleDirs);
      let failed = 0;
      for (const r of results) {
        if (r.failures.length === 0) process.stdout.write(`✔ ${r.rule} / ${r.fixture}\n`);
        else {
          failed++;
          process.stdout.write(`✖ ${r.rule} / ${r.fixture}\n${r.failures.map((f) => `    ${f}`).join('\n')}\n`);
        }
      }
      process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
      exitCode = failed > 0 || loaded.issues.length > 0 ? EXIT.error : EXIT.ok;
    });

  program
    .command('case <caseId>')
    .description("print a case's timeline from the event log")
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .action(async (given: string, opts: { config: string }) => {
      await withCasebot(opts.config, async (bot) => {
        const summary = knownCase(bot, given);
        const view = bot.store.loadCaseView(summary.caseId);
        const mails = new Map(view.messages.map((m) => [m.messageId, m]));
        process.stdout.write(`${summary.caseId}  ${summary.status}  ${summary.subject}\n`);
        const dates = new Map(view.messages.map((m) => [m.messageId, m.date]));
        for (const e of conversationOrder(bot.store.events.list(summary.caseId), dates)) {
          // A mail is shown at the time its sender wrote it; casebot's own steps when it took them.
          const mail = e.messageId && (e.type === 'mail-received' || e.type === 'reply-seen') ? mails.get(e.messageId) : undefined;
          process.stdout.write(
            `${mail ? mail.date : e.at}  ${e.type.padEnd(18)} ${eventLabel(e)}${e.messageId ? `  <${e.messageId}>` : ''}\n`,
          );
          for (const line of analysisLines(mail?.analysis ?? null)) process.stdout.write(`${' '.repeat(26)}${line}\n`);
        }
      });
    });

  program
    .command('digest')
    .description('the digest of open cases: print it, or queue and send it now')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .option('--engineer <address>', "one engineer's cases (default: the whole team)")
    .option('--print', 'print the plain-text digest (the default)')
    .option('--html', 'print the HTML digest instead')
    .option('--send', 'send it by SMTP now, through the outbox and its pacing')
    .action(async (opts: { config: string; engineer?: string; html?: boolean; send?: boolean }) => {
      await withCasebot(opts.config, async (bot) => {
        const engineer = opts.engineer ? knownEngineer(bot, opts.engineer) : null;
        const recipient = engineer ?? bot.settings.team.address;
        if (opts.send) {
          if (!bot.sender) throw new CliError('no smtp: section in the config, nothing can be sent');
          await bot.mailbox.open();
          await queueDigest(bot, engineer, recipient, null);
          const report = emptyReport();
          await deliverOutbox(bot, report);
          process.stdout.write(`Digest ${report.sent > 0 ? 'sent' : 'queued'} to ${recipient}.\n`);
        } else {
          const { rendered } = makeDigest(bot, engineer, recipient);
          process.stdout.write(opts.html ? rendered.html : `${rendered.subject}\n\n${rendered.text}`);
        }
      });
    });

  const quarantine = program.command('quarantine').description('mail that failed or ran over its time budget');
  quarantine
    .command('list')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .action(async (opts: { config: string }) => {
      await withCasebot(opts.config, async (bot) => {
        const list = bot.store.quarantine.pending();
        if (list.length === 0) process.stdout.write('Nothing is quarantined.\n');
        for (const q of list) {
          const ref = JSON.parse(q.mailboxRef) as { folder: string; id: string };
          process.stdout.write(`${String(q.id).padStart(4)}  ${q.createdAt}  ${ref.folder}:${ref.id}  ${q.reason}\n`);
        }
      });
    });
  quarantine
    .command('replay [ids...]')
    .description('process quarantined mail again (all of it, or the ids given)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .action(async (given: string[], opts: { config: string }) => {
      const ids = given.map((id) => {
        if (!/^\d+$/.test(id)) throw new CliError(`not a quarantine id: ${id} (casebot quarantine list shows them)`, EXIT.usage);
        return Number(id);
      });
      await withCasebot(opts.config, async (bot) => {
        const quarantined = new Set(bot.store.quarantine.pending().map((q) => q.id));
        const unknown = ids.find((id) => !quarantined.has(id));
        if (unknown !== undefined) throw new CliError(`no quarantined mail with id ${unknown}`);
        if (quarantined.size === 0) {
          process.stdout.write('Nothing is quarantined.\n');
          return;
        }
        await bot.mailbox.open();
        const { results } = await replayQuarantine(bot, ids.length > 0 ? ids : null);
        for (const r of results) process.stdout.write(`${String(r.id).padStart(4)}  ${r.ok ? 'processed' : 'still failing'}\n`);
        exitCode = results.some((r) => !r.ok) ? EXIT.error : EXIT.ok;
      });
    });

  program
    .command('stats')
    .description('what became of the drafts: sent as drafted, after edits, replaced, discarded, per kind and per rule')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .option('--since <age>', 'drafts made in the last 30d, 12h, 2w…', '30d')
    .option('--engineer <address>', "one engineer's cases (default: the whole team)")
    .option('--json', 'the figures as JSON')
    .action(async (opts: { config: string; since: string; engineer?: string; json?: boolean }) => {
      await withCasebot(opts.config, async (bot) => {
        const since = sinceOf(opts.since, bot.clock());
        if (!since) throw new CliError(`--since ${opts.since}: give an age such as 30d, 12h or 2w`, EXIT.usage);
        const engineer = opts.engineer ? knownEngineer(bot, opts.engineer) : null;
        const stats = draftStats(draftOutcomes(bot.store.drafts.history(since, engineer)), since);
        process.stdout.write(opts.json ? `${JSON.stringify(stats, null, 2)}\n` : statsTable(stats));
      });
    });

  program
    .command('similar <target>')
    .description('similar past cases from case memory: for a case in the store (CAS-…) or a log bundle')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .option('-d, --description <text>', "the customer's description of the problem, with a bundle")
    .action(async (target: string, opts: { config: string; description?: string }) => {
      await withCasebot(opts.config, async (bot) => {
        const caseId = findCaseId(target);
        let query;
        if (caseId && bot.store.getCase(caseId)) query = caseQuery(bot, caseId).query;
        else if (fs.existsSync(target)) {
          const { files, problems } = await readTarget(target);
          const analysis = await analyzeBundle(files, bot.knowledge, bot.analysis);
          const describe = describeProblems(bot.render, bot.settings.portal);
          for (const p of [...problems, ...analysis.problems]) process.stdout.write(`! ${describe(p)}\n`);
          query = memoryQuery(opts.description ?? '', analysis, bot.knowledge, synonymsOf(bot.knowledge), {
            normalTemplates: bot.memory.normalTemplates(),
          });
        } else throw new CliError(caseId ? `no such case: ${caseId}` : `${target}: neither a case id nor a file or folder`);
        process.stdout.write(`${plural(bot.memory.size(), 'case')} in memory.\n${similarCasesText(findSimilar(bot, query, caseId))}`);
      });
    });

  program
    .command('learn <sources...>')
    .description(
      'remember the closed case threads of an archive: Maildir folders, or folders of the configured IMAP server (read with its Sent folder)',
    )
    .option(
      '--normal',
      'the sources are logs of upgrades that succeeded (folders, archives or files): their lines are never part of a failure fingerprint',
    )
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .action(async (sources: string[], opts: { config: string; normal?: boolean }) => {
      const config = readConfig(opts.config);
      await withCasebot(opts.config, async (bot) => {
        if (opts.normal) {
          const describe = describeProblems(bot.render, bot.settings.portal);
          for (const source of sources) {
            const { files, problems } = await readTarget(source);
            for (const p of problems) process.stdout.write(`! ${describe(p)}\n`);
            process.stdout.write(
              `${source}: ${plural(files.length, 'log')}, ${plural(await learnNormalRuns(bot, files), 'new template')} of successful runs.\n`,
            );
          }
          return;
        }
        for (const source of sources) {
          const archive = archiveMailbox(config, bot.log, source);
          await archive.open();
          try {
            const report = await learnFromArchive(bot, archive, progressBar(source));
            process.stderr.write('\n');
            process.stdout.write(
              `${source}: ${plural(report.mails, 'mail')}, ${plural(report.threads, 'case thread')}; remembered ${report.remembered.length}` +
                `${report.withoutLogs.length > 0 ? ` (${report.withoutLogs.length} from the mails alone: no logs)` : ''}. Memory holds ${plural(bot.memory.size(), 'case')}.\n`,
            );
            // Why each thread was not remembered, one line each.
            for (const caseId of report.open)
              process.stdout.write(`  not remembered: ${caseId}: no closure (no mail of the team with 问题总结)\n`);
            if (report.notCases > 0)
              process.stdout.write(
                `  not remembered: ${plural(report.notCases, 'mail')} in no case thread (no case id, no reference to one): not a case\n`,
              );
          } finally {
            await archive.close();
          }
        }
      });
    });

  program
    .command('check')
    .description('validate the config, the knowledge files and the templates; with --connect, the mail servers too')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .option('--connect', 'log in to IMAP and SMTP, find INBOX, Sent and Drafts, and store (and remove) a test draft')
    .action(async (opts: { config: string; connect?: boolean }) => {
      const config = readConfig(opts.config);
      for (const w of config.warnings) process.stdout.write(`! ${w}\n`);
      const loaded = readKnowledge(config.knowledgeDir);
      for (const i of loaded.issues) process.stdout.write(`✖ ${i.file}: ${i.message}\n`);
      const templates = templateProblems(config.templatesDir);
      for (const p of templates) process.stdout.write(`✖ ${p}\n`);
      process.stdout.write(
        `config ${config.file}: ok; ${plural(loaded.knowledge.rules.length, 'rule')}; ${templates.length === 0 ? 'templates ok' : plural(templates.length, 'template problem')}\n`,
      );
      const lines = opts.connect ? await checkConnection(config) : [];
      for (const l of lines) process.stdout.write(`${l.ok ? '✔' : '✖'} ${l.text}\n`);
      exitCode = loaded.issues.length > 0 || templates.length > 0 || lines.some((l) => !l.ok) ? EXIT.error : EXIT.ok;
    });

  program
    .command('backup <file>')
    .description("copy the store to a new file with SQLite's online backup; safe while casebot runs")
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG())
    .action(async (file: string, opts: { config: string }) => {
      const config = readConfig(opts.config);
      // Opened on its own, not as a whole casebot: nothing else is needed, and a missing store must not be created.
      if (!fs.existsSync(config.store.path)) throw new CliError(`no store at ${config.store.path}`);
      const store = new SqliteCaseStore(config.store.path);
      try {
        await store.backup(file);
      } finally {
        store.close();
      }
      process.stdout.write(`Backed up ${config.store.path} to ${path.resolve(file)} (${plural(fs.statSync(file).size, 'byte')}).\n`);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    // commander has printed its message (or the help, or the version) already.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    process.stderr.write(`casebot: ${describeError(err)}\n`);
    return err instanceof CliError ? err.exitCode : EXIT.error;
  }
}

/** The config, or one line saying the file is not there (loadConfig would quote Node's ENOENT). */
function readConfig(file: string): Config {
  if (!fs.existsSync(file)) throw new CliError(`no such config file: ${file}`);
  return loadConfig(file);
}

/** The stored case `given` names, however it is written (`cas-06079-g5k3w1`). */
function knownCase(bot: Casebot, given: string): CaseSummary {
  const caseId = findCaseId(given);
  const summary = caseId ? bot.store.getCase(caseId) : null;
  if (!summary) throw new CliError(`no such case: ${caseId ?? given}`);
  return summary;
}

/** The configured address of the engineer `given` names, in any case. */
function knownEngineer(bot: Casebot, given: string): string {
  const engineer = bot.settings.engineers.find((e) => e.address.toLowerCase() === given.toLowerCase());
  if (!engineer)
    throw new CliError(`no such engineer: ${given} (the config lists ${bot.settings.engineers.map((e) => e.address).join(', ')})`);
  return engineer.address;
}

/** A casebot for one command, closed after it whatever happens. */
async function withCasebot(configFile: string, fn: (bot: Casebot) => Promise<void>): Promise<void> {
  const bot = createCasebot(readConfig(configFile), consoleLogger({ quiet: true }));
  try {
    await fn(bot);
  } finally {
    await bot.close();
  }
}

/** A one-line progress bar on stderr, redrawn in place. */
function progressBar(label: string): (done: number, total: number, caseId: string) => void {
  const width = 30;
  return (done, total, caseId) => {
    const filled = total === 0 ? width : Math.round((done / total) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${caseId.padEnd(18)}`);
  };
}

async function run(configFile: string, once: boolean, quiet: boolean): Promise<number> {
  const config = readConfig(configFile);
  const log = consoleLogger({ quiet });
  for (const w of config.warnings) log.warn(w);
  const bot = createCasebot(config, log);
  await bot.mailbox.open();
  process.stdout.write(`casebot on ${bot.mailbox.description}, store ${config.store.path}\n`);
  try {
    if (once) {
      printPass(await processMailbox(bot));
      return 0;
    }
    const watcher = watchMailbox(bot, (report) => {
      if (report.ingested + report.unmatched + report.drafts.length + report.retired + report.failed + report.sent > 0) printPass(report);
    });
    const stop = () => void watcher.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await watcher.done;
    return 0;
  } finally {
    await bot.close();
  }
}

function printPass(r: PassReport): void {
  process.stdout.write(
    `Read ${plural(r.ingested + r.unmatched + r.duplicates + r.failed, 'new mail')}: ${r.ingested} in case threads, ${r.unmatched} matching no case, ` +
      `${r.duplicates} already known, ${r.failed} unreadable.\n`,
  );
  if (r.drafts.length === 0) process.stdout.write('No new drafts.\n');
  for (const d of r.drafts) process.stdout.write(`Draft ${d.kind.padEnd(13)} for ${d.caseId}  <${d.messageId}>\n`);
  if (r.retired > 0) process.stdout.write(`Removed ${plural(r.retired, 'stale draft')}.\n`);
  if (r.commands > 0) process.stdout.write(`Ran ${plural(r.commands, 'command')}.\n`);
  if (r.sent > 0) process.stdout.write(`Sent ${plural(r.sent, 'mail')}.\n`);
}

/** `casebot analyze` runs without a config: the project's templates, and no portal named. */
function standaloneDescribe(): DescribeProblem {
  return describeProblems(loadTemplates(path.join(projectRoot(), 'templates')), { name: '日志上传门户', url: '' });
}

async function readTarget(target: string): Promise<{ files: LogFileInput[]; problems: Problem[] }> {
  if (fs.statSync(target).isDirectory()) return { files: readFolder(target), problems: [] };
  const filename = path.basename(target);
  if (/\.(zip|7z|rar|cab|tar|gz|tgz|\d{3})$/i.test(filename))
    return new ArchiveBundleReader(DEFAULT_BUNDLE_LIMITS).readFile(target, filename);
  return { files: [logFromFile(filename, target)], problems: [] };
}

/** What the analysis of a mail's logs found, under that mail in `casebot case`. */
function analysisLines(analysis: Analysis | null): string[] {
  if (!analysis) return [];
  const result = analysis.outcome?.resultCode
    ? ` ${analysis.outcome.resultCode}${analysis.outcome.extendCode ? `-${analysis.outcome.extendCode}` : ''}`
    : '';
  const head = `analysis: ${analysis.verdict}${result}`;
  if (analysis.findings.length === 0) return [`${head}, no finding`];
  return [head, ...analysis.findings.map((f) => `- ${f.rule} (${f.confidence}): ${f.title}`)];
}
