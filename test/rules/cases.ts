/**
 * Hand-checked settlements, at least six per pack, each worked out on paper from POLICIES.md
 * (the working is in the comment of each case). Amounts in yuan.
 */
export interface HandCase {
  name: string;
  policy: string;
  person: Record<string, unknown>;
  claims: Record<string, unknown>[];
  /** Per claim: [basic, critical, backstop, supplementary, assistance, hospital, patient]. */
  expect: [string, string, string, string, string, string, string][];
  assumptions?: string[];
}

const none = { registeredPoor: false, poorClass: null, assistance: null };
const poor = { registeredPoor: true, poorClass: null, assistance: null };
const ip = (date: string, cls: string, total: string, outOfCatalog: string) => ({
  date,
  kind: 'inpatient',
  facility: { class: cls },
  total,
  outOfCatalog,
});
const op = (date: string, disease: string, total: string, outOfCatalog: string, cls = 'county') => ({
  date,
  kind: 'outpatient-chronic',
  facility: { class: cls },
  total,
  outOfCatalog,
  disease,
});

export const CASES: HandCase[] = [
  // ------------------------------------------------------------------ Shanxi CN-140000-2017
  {
    // each admission pays its own deductible: (5,000 − 500) × 80% = 3,600 twice
    name: 'sx: deductible per admission, twice',
    policy: 'CN-140000-2017',
    person: none,
    claims: [ip('2018-01-10', 'county', '5000', '0'), ip('2018-02-10', 'county', '5000', '0')],
    expect: [
      ['3600.00', '0.00', '0.00', '0.00', '0.00', '0.00', '1400.00'],
      ['3600.00', '0.00', '0.00', '0.00', '0.00', '0.00', '1400.00'],
    ],
  },
  {
    // claim 1: (100,000 − 1,200) × 60% = 59,280; S1 40,720 → (40,720 − 10,000) × 75% = 23,040
    // claim 2: raw (50,000 − 1,200) × 60% = 29,280 but only 70,000 − 59,280 = 10,720 left of the cap;
    //          S1 39,280, year base 80,000: marginal 39,280 × 75% = 29,460
    name: 'sx: basic annual cap crossed in the middle of a claim',
    policy: 'CN-140000-2017',
    person: none,
    claims: [ip('2018-03-01', 'province', '100000', '0'), ip('2018-05-01', 'province', '50000', '0')],
    expect: [
      ['59280.00', '23040.00', '0.00', '0.00', '0.00', '0.00', '17680.00'],
      ['10720.00', '29460.00', '0.00', '0.00', '0.00', '0.00', '9820.00'],
    ],
  },
  {
    // 136 tier escalation, registered poor:
    // 1 county 10,000: basic 7,600, S1 2,400, cap 1,000 → backstop 1,400, borne 1,000
    // 2 city 20,000: basic (20,000 − 800) × 70% = 13,440; S1 6,560; year base 8,960 < 10,000;
    //   cap now 3,000 (highest tier), room 2,000 → backstop 4,560
    // 3 county 5,000: basic 3,600; S1 1,400; base 10,360 → critical 360 × 75% = 270; S2 1,130;
    //   cap still 3,000 (city attended), room 0 → backstop 1,130; patient 0
    name: 'sx: 136 cap escalates with the highest tier attended this year',
    policy: 'CN-140000-2017',
    person: poor,
    claims: [ip('2018-01-05', 'county', '10000', '0'), ip('2018-04-05', 'city', '20000', '0'), ip('2018-09-05', 'county', '5000', '0')],
    expect: [
      ['7600.00', '0.00', '1400.00', '0.00', '0.00', '0.00', '1000.00'],
      ['13440.00', '0.00', '4560.00', '0.00', '0.00', '0.00', '2000.00'],
      ['3600.00', '270.00', '1130.00', '0.00', '0.00', '0.00', '0.00'],
    ],
  },
  {
    // year boundary: the 1,000 burden cap starts again on 1 January
    name: 'sx: year boundary resets the 136 burden',
    policy: 'CN-140000-2017',
    person: poor,
    claims: [ip('2018-12-20', 'county', '10000', '0'), ip('2019-01-05', 'county', '10000', '0')],
    expect: [
      ['7600.00', '0.00', '1400.00', '0.00', '0.00', '0.00', '1000.00'],
      ['7600.00', '0.00', '1400.00', '0.00', '0.00', '0.00', '1000.00'],
    ],
  },
  {
    // control-ratio excess: I 15,000 → basic 11,600; S1 3,400 → backstop 2,400;
    // E = min(5,000, 15% × 20,000 = 3,000) = 3,000 → 85% = 2,550; X 2,000 on the hospital;
    // patient 1,000 + 450
    name: 'sx: out-of-catalogue above the control ratio falls on the hospital',
    policy: 'CN-140000-2017',
    person: poor,
    claims: [ip('2018-06-01', 'county', '20000', '5000')],
    expect: [['11600.00', '0.00', '2400.00', '2550.00', '0.00', '2000.00', '1450.00']],
  },
  {
    // the same stay for a tekun person: assistance pays the 1,000 burden and the 450 (15% of E)
    name: 'sx: tekun assistance pays the 136 burden and the 15% of E',
    policy: 'CN-140000-2017',
    person: { registeredPoor: true, poorClass: null, assistance: 'tekun' },
    claims: [ip('2018-06-01', 'county', '20000', '5000')],
    expect: [['11600.00', '0.00', '2400.00', '2550.00', '1450.00', '2000.00', '0.00']],
  },
  {
    // half-up where half-even differs: township (200.05 − 200) × 90% = 4.5 fen → 0.05 (half-even 0.04)
    name: 'sx: basic rounds half-up (4.5 fen → 5 fen)',
    policy: 'CN-140000-2017',
    person: none,
    claims: [ip('2018-06-01', 'township', '200.05', '0')],
    expect: [['0.05', '0.00', '0.00', '0.00', '0.00', '0.00', '200.00']],
  },
  {
    // supplementary half-up: E = min(0.10, 15% × 1,000.10 = 150.015 → 150.02) = 0.10; 85% = 8.5 fen → 0.09
    // basic (1,000 − 200) × 90% = 720; S1 280 < 1,000 cap
    name: 'sx: supplementary rounds half-up (8.5 fen → 9 fen)',
    policy: 'CN-140000-2017',
    person: poor,
    claims: [ip('2018-06-01', 'township', '1000.10', '0.10')],
    expect: [['720.00', '0.00', '0.00', '0.09', '0.00', '0.00', '280.01']],
  },
  {
    // special chronic (tumour, limit 20,000): 15,000 then 8,000 of which 5,000 fits the limit;
    // other chronic (60%, one 2,000 limit shared): 1,000 → 600; 3,000 → 1,800 but 1,400 left
    name: 'sx: outpatient special limit crossed mid-claim; other chronic share one limit',
    policy: 'CN-140000-2017',
    person: poor,
    claims: [
      op('2018-02-01', 'C34.1', '15500', '500'),
      op('2018-05-01', 'C34', '8000', '0'),
      op('2018-06-01', 'K74', '1000', '0'),
      op('2018-07-01', 'M05.9', '3200', '200'),
    ],
    expect: [
      ['15000.00', '0.00', '0.00', '0.00', '0.00', '0.00', '500.00'],
      ['5000.00', '0.00', '0.00', '0.00', '0.00', '0.00', '3000.00'],
      ['600.00', '0.00', '0.00', '0.00', '0.00', '0.00', '400.00'],
      ['1400.00', '0.00', '0.00', '0.00', '0.00', '0.00', '1800.00'],
    ],
  },
  {
    // status changes mid-year: not poor in March (pays 2,400 of in-catalogue burden himself);
    // registered poor from 1 June: that burden already exceeds the 1,000 cap, so the backstop
    // pays the whole 2,400 of the July stay
    name: 'sx: status taken as of each claim date; the year burden counts every claim',
    policy: 'CN-140000-2017',
    person: { ...none, history: [{ from: '2018-06-01', registeredPoor: true, poorClass: null, assistance: null }] },
    claims: [ip('2018-03-01', 'county', '10000', '0'), ip('2018-07-01', 'county', '10000', '0')],
    expect: [
      ['7600.00', '0.00', '0.00', '0.00', '0.00', '0.00', '2400.00'],
      ['7600.00', '0.00', '2400.00', '0.00', '0.00', '0.00', '0.00'],
    ],
  },
  // ------------------------------------------------------------------ Fengxiang CN-610322-2019
  {
    // not poor, level1: (9,000 − 200) × 90% = 7,920; S1 1,080 < 10,000
    name: 'fx: general person, level 1',
    policy: 'CN-610322-2019',
    person: none,
    claims: [ip('2019-05-01', 'level1', '10000', '1000')],
    expect: [['7920.00', '0.00', '0.00', '0.00', '0.00', '0.00', '2080.00']],
    assumptions: ['basic.deductible', 'basic.annualCap', 'critical.threshold', 'critical.ratio', 'critical.annualCap'],
  },
  {
    // poor level3: ratio 62% + 10 = 72%: (45,000 − 1,000) × 72% = 31,680; S1 13,320;
    // critical threshold 5,000, 65%: 8,320 × 65% = 5,408; 80% × 50,000 = 40,000 − 37,088 = 2,912
    name: 'fx: poor level 3, critical then top-up to 80%',
    policy: 'CN-610322-2019',
    person: poor,
    claims: [ip('2019-05-01', 'level3', '50000', '5000')],
    expect: [['31680.00', '5408.00', '0.00', '0.00', '2912.00', '0.00', '10000.00']],
  },
  {
    // caps crossed in the middle of one claim: basic raw 619,380 → 100,000 cap;
    // critical (900,000 − 10,000) × 60% = 534,000 → 300,000 cap
    name: 'fx: basic and critical caps crossed mid-claim (general person)',
    policy: 'CN-610322-2019',
    person: none,
    claims: [ip('2019-05-01', 'level3', '1000000', '0')],
    expect: [['100000.00', '300000.00', '0.00', '0.00', '0.00', '0.00', '600000.00']],
  },
  {
    // the poor have no critical cap: (900,000 − 5,000) × 65% = 581,750; top-up to 800,000
    name: 'fx: poor critical has no cap',
    policy: 'CN-610322-2019',
    person: poor,
    claims: [ip('2019-05-01', 'level3', '1000000', '0')],
    expect: [['100000.00', '581750.00', '0.00', '0.00', '118250.00', '0.00', '200000.00']],
  },
  {
    // deductible per admission twice at level1: (1,000 − 200) × 90% = 720, top-up to 800
    name: 'fx: deductible per admission twice, each topped up',
    policy: 'CN-610322-2019',
    person: poor,
    claims: [ip('2019-06-01', 'level1', '1000', '0'), ip('2019-06-20', 'level1', '1000', '0')],
    expect: [
      ['720.00', '0.00', '0.00', '0.00', '80.00', '0.00', '200.00'],
      ['720.00', '0.00', '0.00', '0.00', '80.00', '0.00', '200.00'],
    ],
  },
  {
    // year boundary: (20,000 − 1,000) × 72% = 13,680; S1 6,320 → (6,320 − 5,000) × 65% = 858;
    // in the new year the critical base starts again (else the second would pay 6,320 × 65%)
    name: 'fx: year boundary resets the critical base',
    policy: 'CN-610322-2019',
    person: poor,
    claims: [ip('2019-12-30', 'level3', '20000', '0'), ip('2020-01-02', 'level3', '20000', '0')],
    expect: [
      ['13680.00', '858.00', '0.00', '0.00', '1462.00', '0.00', '4000.00'],
      ['13680.00', '858.00', '0.00', '0.00', '1462.00', '0.00', '4000.00'],
    ],
  },
  {
    // half-up: level2 (500.75 − 500) × 78% = 58.5 fen → 0.59 (half-even 0.58)
    name: 'fx: basic rounds half-up (58.5 fen → 59 fen)',
    policy: 'CN-610322-2019',
    person: none,
    claims: [ip('2019-05-01', 'level2', '500.75', '0')],
    expect: [['0.59', '0.00', '0.00', '0.00', '0.00', '0.00', '500.16']],
  },
  {
    // 两病: diabetes 50% within 500 a year: 400, then 300 of which 100 left; hypertension apart
    name: 'fx: 两病 annual limit per disease',
    policy: 'CN-610322-2019',
    person: none,
    claims: [op('2019-03-01', 'E11', '800', '0', 'level1'), op('2019-04-01', 'E11.9', '650', '50', 'level1'), op('2019-04-02', 'I10', '100', '0', 'level1')],
    expect: [
      ['400.00', '0.00', '0.00', '0.00', '0.00', '0.00', '400.00'],
      ['100.00', '0.00', '0.00', '0.00', '0.00', '0.00', '550.00'],
      ['50.00', '0.00', '0.00', '0.00', '0.00', '0.00', '50.00'],
    ],
  },
  {
    // The reproduction. Registered poor until 2020-06-01, then not.
    // 2020-01-15, poor, level3, T 800,000: basic (800,000 − 1,000) × (62% + 10%) = 575,280 → the
    //   annual cap 100,000; S1 = 700,000, critical (poor: threshold 50% × 10,000 = 5,000, ratio
    //   60% + 5% = 65%, no cap) (700,000 − 5,000) × 65% = 451,750; top-up to 80% × 800,000 =
    //   640,000: 640,000 − 551,750 = 88,250; patient 160,000.
    // 2020-07-15, not poor, level3, T 50,000: basic (49,000 × 62% = 30,380) but 100,000 − 100,000
    //   = 0 left; critical marginal (750,000 − 10,000) − (700,000 − 10,000) = 50,000 × 60% = 30,000,
    //   but the general cap 300,000 is already passed by the 451,750 paid this year: 300,000 −
    //   451,750 < 0, so 0 left (not −151,750); no top-up for a person not poor; patient 50,000.
    name: 'fx: after leaving the poor register the general critical cap is already used up: nothing, never less',
    policy: 'CN-610322-2019',
    person: { ...poor, history: [{ from: '2020-06-01', ...none }] },
    claims: [ip('2020-01-15', 'level3', '800000', '0'), ip('2020-07-15', 'level3', '50000', '0')],
    expect: [
      ['100000.00', '451750.00', '0.00', '0.00', '88250.00', '0.00', '160000.00'],
      ['0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '50000.00'],
    ],
  },
  {
    // Same change of status, the general cap only partly used by the poor stay.
    // 2020-01-15, poor, level3, T 400,000: basic (399,000 × 72% = 287,280) → cap 100,000;
    //   S1 300,000, critical (300,000 − 5,000) × 65% = 191,750; top-up 320,000 − 291,750 = 28,250;
    //   patient 80,000.
    // 2020-07-15, not poor, level3, T 200,000: basic 0 (cap used); S1 200,000, marginal 200,000
    //   (base 300,000 → 500,000, all above 10,000) × 60% = 120,000, limited to the 300,000 −
    //   191,750 = 108,250 left; patient 200,000 − 108,250 = 91,750.
    name: 'fx: after leaving the poor register the general critical cap counts what was paid while poor',
    policy: 'CN-610322-2019',
    person: { ...poor, history: [{ from: '2020-06-01', ...none }] },
    claims: [ip('2020-01-15', 'level3', '400000', '0'), ip('2020-07-15', 'level3', '200000', '0')],
    expect: [
      ['100000.00', '191750.00', '0.00', '0.00', '28250.00', '0.00', '80000.00'],
      ['0.00', '108250.00', '0.00', '0.00', '0.00', '0.00', '91750.00'],
    ],
  },
  // ------------------------------------------------------------------ Xianning CN-421200-2017
  {
    // class 2, same stay as the vector's first claim: burden 3,440, E part above 3,000 is 440 × 50%
    name: 'xn: class 2 rates differ from class 1',
    policy: 'CN-421200-2017',
    person: { registeredPoor: true, poorClass: 2, assistance: null },
    claims: [ip('2017-06-01', 'level2', '12000', '1000')],
    expect: [['8560.00', '0.00', '0.00', '220.00', '0.00', '0.00', '3220.00']],
  },
  {
    // out of area, class 1: D 1,500 × 0.5 = 750, ratio 60%: (15,000 − 750) × 60% = 8,550;
    // S1 6,450 → critical (6,450 − 6,000) × 60% = 270; E 2,000, X 3,000 (patient: out of area);
    // burden 6,180 + 2,000: in 3,180 × 90% + E 2,000 × 70% = 4,262; assistance 3,918 − 3,000 = 918
    name: 'xn: out-of-area excess stays with the patient',
    policy: 'CN-421200-2017',
    person: { registeredPoor: true, poorClass: 1, assistance: null },
    claims: [ip('2017-06-01', 'outOfArea', '20000', '5000')],
    expect: [['8550.00', '270.00', '0.00', '4262.00', '918.00', '0.00', '6000.00']],
  },
  {
    // in area, level3: (15,000 − 500) × 70% = 10,150; S1 4,850 < 6,000; in 1,850 × 90% + 2,000 × 70%
    // = 3,065; hospital 50% of X 3,000 = 1,500; assistance 3,785 − 3,000 = 785
    name: 'xn: in-area excess is shared with the hospital',
    policy: 'CN-421200-2017',
    person: { registeredPoor: true, poorClass: 1, assistance: null },
    claims: [ip('2017-06-01', 'level3', '20000', '5000')],
    expect: [['10150.00', '0.00', '0.00', '3065.00', '785.00', '1500.00', '4500.00']],
  },
  {
    // half-up: poor township ratio 85% + 10 = 95%, D 100: 0.30 × 95% = 28.5 fen → 0.29 (half-even 0.28)
    name: 'xn: basic rounds half-up (28.5 fen → 29 fen)',
    policy: 'CN-421200-2017',
    person: { registeredPoor: true, poorClass: 1, assistance: null },
    claims: [ip('2017-06-01', 'township', '100.30', '0')],
    expect: [['0.29', '0.00', '0.00', '0.00', '0.00', '0.00', '100.01']],
  },
  {
    // three caps in one claim: basic raw 1,399,650 → 150,000; critical (1,850,000 − 6,000) × 60%
    // → 300,000 cap; supplementary (1,550,000 − 3,000) × 90% = 1,392,300; assistance 154,700 → 30,000 cap
    name: 'xn: basic, critical and assistance caps crossed in one claim',
    policy: 'CN-421200-2017',
    person: { registeredPoor: true, poorClass: 1, assistance: null },
    claims: [ip('2017-06-01', 'level3', '2000000', '0')],
    expect: [['150000.00', '300000.00', '0.00', '1392300.00', '30000.00', '0.00', '127700.00']],
  },
  {
    // year boundary: the 3,000 of supplementary and assistance starts again
    name: 'xn: year boundary resets the 3,000 thresholds',
    policy: 'CN-421200-2017',
    person: { registeredPoor: true, poorClass: 1, assistance: null },
    claims: [ip('2017-12-01', 'level2', '12000', '1000'), ip('2018-01-10', 'level2', '12000', '1000')],
    expect: [
      ['8560.00', '0.00', '0.00', '308.00', '132.00', '0.00', '3000.00'],
      ['8560.00', '0.00', '0.00', '308.00', '132.00', '0.00', '3000.00'],
    ],
  },
  {
    // not poor: basic cap crossed mid-claim, critical general 12,000 / 60%
    name: 'xn: general person, basic cap mid-claim',
    policy: 'CN-421200-2017',
    person: none,
    claims: [ip('2017-06-01', 'level3', '300000', '0')],
    expect: [['150000.00', '82800.00', '0.00', '0.00', '0.00', '0.00', '67200.00']],
  },
  // ------------------------------------------------------------------ Qinhuangdao CN-130300-2016
  {
    name: 'qhd: township (1,000 − 100) × 85%',
    policy: 'CN-130300-2016',
    person: none,
    claims: [ip('2018-01-01', 'township', '1000', '0')],
    expect: [['765.00', '0.00', '0.00', '0.00', '0.00', '0.00', '235.00']],
    assumptions: ['basic.annualCap'],
  },
  {
    name: 'qhd: deductible per admission twice',
    policy: 'CN-130300-2016',
    person: none,
    claims: [ip('2018-01-01', 'level1', '2000', '200'), ip('2018-01-20', 'level1', '2000', '200')],
    expect: [
      ['1125.00', '0.00', '0.00', '0.00', '0.00', '0.00', '875.00'],
      ['1125.00', '0.00', '0.00', '0.00', '0.00', '0.00', '875.00'],
    ],
  },
  {
    name: 'qhd: out of the city, deductible 4,000 and 50%',
    policy: 'CN-130300-2016',
    person: none,
    claims: [ip('2018-01-01', 'outOfArea', '50000', '5000')],
    expect: [['20500.00', '0.00', '0.00', '0.00', '0.00', '0.00', '29500.00']],
  },
  {
    // (4,000.05 − 4,000) × 50% = 2.5 fen → 0.03 (half-even 0.02)
    name: 'qhd: basic rounds half-up (2.5 fen → 3 fen)',
    policy: 'CN-130300-2016',
    person: none,
    claims: [ip('2018-01-01', 'outOfArea', '4000.05', '0')],
    expect: [['0.03', '0.00', '0.00', '0.00', '0.00', '0.00', '4000.02']],
  },
  {
    // no cap published: a second large claim in the year is paid in full
    name: 'qhd: no annual cap applied',
    policy: 'CN-130300-2016',
    person: none,
    claims: [ip('2018-01-01', 'level3', '1000000', '0'), ip('2018-02-01', 'level3', '1000000', '0')],
    expect: [
      ['599100.00', '0.00', '0.00', '0.00', '0.00', '0.00', '400900.00'],
      ['599100.00', '0.00', '0.00', '0.00', '0.00', '0.00', '400900.00'],
    ],
  },
  {
    // registered poor: this pack has only basic, so the same as everyone
    name: 'qhd: registered poor gets the basic layer only',
    policy: 'CN-130300-2016',
    person: { registeredPoor: true, poorClass: null, assistance: 'dibao' },
    claims: [ip('2019-05-04', 'level2', '20000', '2000')],
    expect: [['12250.00', '0.00', '0.00', '0.00', '0.00', '0.00', '7750.00']],
  },
  // ------------------------------------------------------------------ Guangdong CN-440000-2018
  {
    name: 'gd: general person below the critical threshold',
    policy: 'CN-440000-2018',
    person: none,
    claims: [ip('2018-05-01', 'level2', '30000', '3000')],
    expect: [['18480.00', '0.00', '0.00', '0.00', '0.00', '0.00', '11520.00']],
  },
  {
    // dibao: critical (18,600 − 4,500) × 70% = 9,870; assistance 70% × 8,730 = 6,111 + 50% × 5,000
    name: 'gd: dibao critical, assistance and 二次救助',
    policy: 'CN-440000-2018',
    person: { registeredPoor: false, poorClass: null, assistance: 'dibao' },
    claims: [ip('2018-08-08', 'level3', '50000', '5000')],
    expect: [['26400.00', '9870.00', '0.00', '0.00', '8611.00', '0.00', '5119.00']],
  },
  {
    // registered poor, two stays: claim 2 pays only its own marginal part (6,420 × 70% = 4,494);
    // assistance 70% of 5,076 = 3,553.20; then 70% of 1,926 = 1,348.20
    name: 'gd: critical marginal payment on a second claim',
    policy: 'CN-440000-2018',
    person: poor,
    claims: [ip('2018-03-01', 'level2', '20000', '0'), ip('2018-04-01', 'level2', '20000', '0')],
    expect: [
      ['13580.00', '1344.00', '0.00', '0.00', '3553.20', '0.00', '1522.80'],
      ['13580.00', '4494.00', '0.00', '0.00', '1348.20', '0.00', '577.80'],
    ],
  },
  {
    // tekun: critical (400,600 − 3,000) × 80% = 318,080; assistance 82,520 → 50,000 cap
    name: 'gd: assistance cap crossed mid-claim',
    policy: 'CN-440000-2018',
    person: { registeredPoor: false, poorClass: null, assistance: 'tekun' },
    claims: [ip('2018-05-01', 'level3', '1000000', '0')],
    expect: [['599400.00', '318080.00', '0.00', '0.00', '50000.00', '0.00', '32520.00']],
  },
  {
    // dibao level1: basic (10,000 − 300) × 80% = 7,760; S1 2,240 < 4,500; 70% × 2,240 = 1,568;
    // 二次救助 50% × 50,000 = 25,000 → 20,000 cap
    name: 'gd: 二次救助 cap',
    policy: 'CN-440000-2018',
    person: { registeredPoor: false, poorClass: null, assistance: 'dibao' },
    claims: [ip('2018-05-01', 'level1', '60000', '50000')],
    expect: [['7760.00', '0.00', '0.00', '0.00', '21568.00', '0.00', '30672.00']],
  },
  {
    // (600.15 − 600) × 70% = 10.5 fen → 0.11 (half-even 0.10)
    name: 'gd: basic rounds half-up (10.5 fen → 11 fen)',
    policy: 'CN-440000-2018',
    person: none,
    claims: [ip('2018-05-01', 'level2', '600.15', '0')],
    expect: [['0.11', '0.00', '0.00', '0.00', '0.00', '0.00', '600.04']],
  },
  {
    // year boundary for a tekun person: assistance cap and critical base start again
    name: 'gd: year boundary resets the assistance cap',
    policy: 'CN-440000-2018',
    person: { registeredPoor: true, poorClass: null, assistance: 'tekun' },
    claims: [ip('2018-12-01', 'level3', '1000000', '0'), ip('2019-01-02', 'level3', '1000000', '0')],
    expect: [
      ['599400.00', '318080.00', '0.00', '0.00', '50000.00', '0.00', '32520.00'],
      ['599400.00', '318080.00', '0.00', '0.00', '50000.00', '0.00', '32520.00'],
    ],
  },
  {
    // The reproduction. Tekun until 2018-06-01, then no status.
    // 2018-01-15, tekun, level3, T 1,500,000: basic (1,500,000 − 1,000) × 60% = 899,400 (no cap);
    //   S1 600,600, critical (tekun: threshold 20% × 15,000 = 3,000, ratio 80%, no cap)
    //   (600,600 − 3,000) × 80% = 478,080; assistance 100% of the 122,520 left, cap 50,000 → 50,000;
    //   二次救助 0 (O = 0); patient 1,500,000 − 899,400 − 478,080 − 50,000 = 72,520.
    // 2018-07-15, no status, level3, T 20,000: basic 19,000 × 60% = 11,400; S1 8,600, marginal
    //   8,600 (base 600,600 → 609,200, above 15,000) × 60% = 5,160, but the general cap 400,000 is
    //   passed by the 478,080 paid this year: 0 left (not −78,080); no assistance for a person with
    //   no status; patient 20,000 − 11,400 = 8,600.
    name: 'gd: after tekun ends the general critical cap is already used up: nothing, never less',
    policy: 'CN-440000-2018',
    person: { registeredPoor: false, poorClass: null, assistance: 'tekun', history: [{ from: '2018-06-01', ...none }] },
    claims: [ip('2018-01-15', 'level3', '1500000', '0'), ip('2018-07-15', 'level3', '20000', '0')],
    expect: [
      ['899400.00', '478080.00', '0.00', '0.00', '50000.00', '0.00', '72520.00'],
      ['11400.00', '0.00', '0.00', '0.00', '0.00', '0.00', '8600.00'],
    ],
  },
];
