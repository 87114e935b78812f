/** The export screen's words, in every language (loaded with the screen: i18n/bundles.ts LAZY_BUNDLES). */
export const exportMessages = {
  'zh-CN': {
    exports: {
      title: '导出表格',
      lead: '在平板上离线生成 Excel 表格（.xlsx），不需要网络。身份证号和电话号码按文本保存，用 Excel 打开每一位都在。表格用简体中文，和县里的表格一样。',
      scope: '范围',
      all: '本平板的全部村（{{count}} 个）',
      year: '台账年度',
      button: '导出',
      busy: '正在生成…',
      done: '已生成 {{file}}：{{rows}} 行，{{size}}。文件在平板的“下载”里。',
      failed: '没能生成表格：{{reason}}',
      none: '平板上还没有村庄数据：请先登录县级账号同步，或打开演示模式。',
      kind: {
        roster: { title: '花名册', hint: '每人一行，户主在前，带贫困户属性和认定日期；县里可以原样导入。' },
        enrolments: { title: '慢性病认定名单', hint: '每条认定一行：病种、诊断编码、类别、认定日期和医院、年度限额、是否终止。' },
        ledger: { title: '{{year}} 年度台账', hint: '每人一行：当年参保和资助、慢病认定、家庭医生签约、随访和走访次数、住院各方支付、代办件数和结果；另附当年费用明细。' },
        filings: { title: '代报代办', hint: '每件申请一行：事项、状态、所在环节、退回原因、批准和发放金额、经办人。' },
      },
    },
  },
  'zh-TW': {
    exports: {
      title: '匯出表格',
      lead: '在平板上離線產生 Excel 表格（.xlsx），不需要網路。身分證號和電話號碼按文字保存，用 Excel 開啟每一位都在。表格用簡體中文，和縣裡的表格一樣。',
      scope: '範圍',
      all: '本平板的全部村（{{count}} 個）',
      year: '台帳年度',
      button: '匯出',
      busy: '正在產生…',
      done: '已產生 {{file}}：{{rows}} 行，{{size}}。檔案在平板的「下載」裡。',
      failed: '沒能產生表格：{{reason}}',
      none: '平板上還沒有村莊資料：請先登入縣級帳號同步，或開啟示範模式。',
      kind: {
        roster: { title: '花名冊', hint: '每人一行，戶主在前，帶貧困戶屬性和認定日期；縣裡可以原樣匯入。' },
        enrolments: { title: '慢性病認定名單', hint: '每條認定一行：病種、診斷編碼、類別、認定日期和醫院、年度限額、是否終止。' },
        ledger: { title: '{{year}} 年度台帳', hint: '每人一行：當年參保和資助、慢病認定、家庭醫生簽約、隨訪和走訪次數、住院各方支付、代辦件數和結果；另附當年費用明細。' },
        filings: { title: '代報代辦', hint: '每件申請一行：事項、狀態、所在環節、退回原因、核准和發放金額、經辦人。' },
      },
    },
  },
  en: {
    exports: {
      title: 'Export spreadsheets',
      lead: 'Made on the tablet as Excel files (.xlsx), offline. ID and phone numbers are kept as text, so Excel keeps every digit. The sheets are in Simplified Chinese, as the county’s own are.',
      scope: 'Villages',
      all: 'All villages on this tablet ({{count}})',
      year: 'Year of the ledger',
      button: 'Export',
      busy: 'Making the file…',
      done: 'Made {{file}}: {{rows}} rows, {{size}}. It is in the tablet’s Downloads.',
      failed: 'The file could not be made: {{reason}}',
      none: 'No villages on this tablet yet: sign in with a county account and sync, or open the demo.',
      kind: {
        roster: { title: 'Roster', hint: 'One row per person, the head of household first, with poverty status and its date; the county imports it as it is.' },
        enrolments: { title: 'Chronic-disease certifications', hint: 'One row per certification: disease, ICD-10 code, category, date and hospital, annual limit, ended or not.' },
        ledger: { title: 'Village ledger {{year}}', hint: 'One row per person: insured and subsidised that year, chronic certification, family-doctor contract, follow-ups and visits, hospital stays by payer, filings and their outcome; with the year’s claims on a second sheet.' },
        filings: { title: 'Proxy filings', hint: 'One row per filing: what, status, review stage, reason for a return, amounts approved and paid, who filed.' },
      },
    },
  },
};
