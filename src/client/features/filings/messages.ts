/** Words of the filing editor for a returned filing being corrected, in every language. */
export const filingMessages = {
  'zh-CN': {
    roleName: { 'village-doctor': '乡村医生', 'village-cadre': '村干部', 'township-reviewer': '乡镇审核', 'county-reviewer': '县级审核', admin: '管理员' },
    filingNews: { banner: '{{count}} 份代办有新进展：', open: '查看', badge: '{{count}} 份有新进展', isNew: '新进展' },
    filingReturned: {
      reason: '被退回，原因：',
      unchanged: '还没有修改：内容与被退回的第 {{version}} 版相同。请按退回原因改正后再重新提交。',
      changed: '已有修改。请确认已按退回原因改正，再重新提交。',
    },
  },
  'zh-TW': {
    roleName: { 'village-doctor': '鄉村醫生', 'village-cadre': '村幹部', 'township-reviewer': '鄉鎮審核', 'county-reviewer': '縣級審核', admin: '管理員' },
    filingNews: { banner: '{{count}} 份代辦有新進展：', open: '查看', badge: '{{count}} 份有新進展', isNew: '新進展' },
    filingReturned: {
      reason: '被退回，原因：',
      unchanged: '還沒有修改：內容與被退回的第 {{version}} 版相同。請按退回原因改正後再重新提交。',
      changed: '已有修改。請確認已按退回原因改正，再重新提交。',
    },
  },
  en: {
    roleName: { 'village-doctor': 'Village doctor', 'village-cadre': 'Village cadre', 'township-reviewer': 'Township reviewer', 'county-reviewer': 'County reviewer', admin: 'Administrator' },
    filingNews: { banner: '{{count}} filing(s) with news from the county:', open: 'Open', badge: '{{count}} with news', isNew: 'News' },
    filingReturned: {
      reason: 'Returned. Reason:',
      unchanged: 'Nothing changed yet: this is the same as version {{version}}, which was returned. Correct what the reason says, then resubmit.',
      changed: 'Changed. Check that it corrects what the reason says, then resubmit.',
    },
  },
};
