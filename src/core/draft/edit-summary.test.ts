import { editSummary, templateSentences } from './edit-summary';

const templates = templateSentences({
  templates: {
    diagnosis:
      '{{> greeting}}\n分析了您上传的{{#if followUp}}最新的{{/if}}升级日志，找到了升级失败的原因：\n{{title}}\n您可以按照以下步骤操作：\n',
  },
  partials: { greeting: '{{salutation}} 您好：' },
});

test('template sentences keep their words and show data and optional parts as …; lines mostly data are not sentences', () => {
  expect(templates.map((t) => [t.template, t.text])).toEqual([
    ['diagnosis', '分析了您上传的…升级日志，找到了升级失败的原因：'],
    ['diagnosis', '您可以按照以下步骤操作：'],
  ]);
});

test('an edit is counted in sentences and commands; only template text is ever named', () => {
  const draft =
    '赵先生 您好：\n分析了您上传的升级日志，找到了升级失败的原因：\nBCD 启动项 {725f} 损坏\n您可以按照以下步骤操作：\nbcdedit /export C:\\bcd-backup\nbcdedit /delete {725f}';
  const sent = '赵先生 您好：\n电话中已说明，BCD 启动项 {725f} 损坏。\n您可以按照以下步骤操作：\nbcdedit /delete {725f}';
  expect(editSummary(draft, sent, templates)).toEqual({
    removed: 3,
    added: 1,
    commandsChanged: ['bcdedit /export'],
    templateSentences: ['分析了您上传的…升级日志，找到了升级失败的原因：'],
  });
});
