import { createI18n } from 'vue-i18n'

// zh-CN first; English second. Keys are grouped by screen.
export const messages = {
  'zh-CN': {
    app: { title: '窗口受理客户端', sample: '示例目录' },
    nav: { intake: '受理', queue: '队列', stats: '统计', settings: '设置', label: '主导航', shortcut: 'Alt+{n}' },
    status: {
      online: '在线',
      offline: '离线',
      standalone: '单机模式',
      server: '平台服务器',
      unsent: '未发送：{n}',
      serverAt: '平台服务器：{url}',
      oldest: '最早 {age}',
      window: '窗口',
      version: '版本',
      label: '状态栏',
    },
    intake: {
      title: '受理',
      search: '搜索事项（名称、拼音首字母或实施编码）',
      searchHint: '输入名称、拼音（如 spjyxk）或编码筛选，↓ 进入列表，Enter 查看事项',
      empty: '没有找到匹配的事项',
      kind: { instant: '即办件', promised: '承诺件' },
      promised: '承诺时限',
      statutory: '法定时限',
      days: { working: '{n} 个工作日', calendar: '{n} 个自然日' },
      fee: { charged: '收费', free: '不收费' },
      materials: '{n} 项材料',
      materialsLabel: '申请材料',
      department: '实施部门',
      count: '共 {n} 项事项',
    },
    queue: { title: '队列', empty: '暂无办件', hint: '本窗口和本大厅的办件将显示在这里。' },
    stats: { title: '统计', empty: '暂无统计数据', hint: '按事项、部门、人员和时段的统计将显示在这里。' },
    settings: {
      title: '设置',
      language: '界面语言',
      machine: '本机配置',
      hall: '大厅',
      window: '窗口',
      mode: '运行模式',
      server: '平台服务器',
      source: '配置来源',
      sourceFile: '本机配置文件',
      sourceDefault: '内置默认配置（未配置）',
      catalogue: '事项目录',
      catalogueText: '第 {v} 版，{date} 发布，{n} 项事项，{d} 个部门',
      printer: '打印机',
      notConfigured: '未配置',
      version: '软件版本',
    },
    error: { title: '出错了', configProblem: '配置问题' },
  },
  en: {
    app: { title: 'Window Clerk', sample: 'sample catalogue' },
    nav: { intake: 'Intake', queue: 'Queues', stats: 'Statistics', settings: 'Settings', label: 'Main navigation', shortcut: 'Alt+{n}' },
    status: {
      online: 'Online',
      offline: 'Offline',
      standalone: 'Standalone',
      server: 'Platform server',
      unsent: 'Unsent: {n}',
      serverAt: 'Platform server: {url}',
      oldest: 'oldest {age}',
      window: 'Window',
      version: 'Version',
      label: 'Status bar',
    },
    intake: {
      title: 'Intake',
      search: 'Search matters (name, pinyin initials or implementation code)',
      searchHint: 'Type a name, pinyin (e.g. spjyxk) or code, ↓ to enter the list, Enter to open a matter',
      empty: 'No matching matter',
      kind: { instant: 'Instant', promised: 'Promised' },
      promised: 'Promised limit',
      statutory: 'Statutory limit',
      days: { working: '{n} working days', calendar: '{n} calendar days' },
      fee: { charged: 'Fee', free: 'Free' },
      materials: '{n} materials',
      materialsLabel: 'Materials',
      department: 'Department',
      count: '{n} matters',
    },
    queue: { title: 'Queues', empty: 'No cases yet', hint: "This window's and this hall's cases will appear here." },
    stats: { title: 'Statistics', empty: 'No statistics yet', hint: 'Statistics by matter, department, clerk and period will appear here.' },
    settings: {
      title: 'Settings',
      language: 'Language',
      machine: 'Machine configuration',
      hall: 'Hall',
      window: 'Window',
      mode: 'Mode',
      server: 'Platform server',
      source: 'Configuration source',
      sourceFile: 'Machine config file',
      sourceDefault: 'Embedded default (not configured)',
      catalogue: 'Matter catalogue',
      catalogueText: 'version {v}, published {date}, {n} matters, {d} departments',
      printer: 'Printer',
      notConfigured: 'Not configured',
      version: 'Software version',
    },
    error: { title: 'Something went wrong', configProblem: 'Configuration problem' },
  },
}

export type Locale = keyof typeof messages
export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
]

const STORAGE_KEY = 'window-clerk.locale'

export function savedLocale(): Locale {
  const v = globalThis.localStorage?.getItem(STORAGE_KEY)
  return v === 'en' || v === 'zh-CN' ? v : 'zh-CN'
}

export function saveLocale(l: Locale) {
  globalThis.localStorage?.setItem(STORAGE_KEY, l)
  document.documentElement.lang = l
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  messages,
})
