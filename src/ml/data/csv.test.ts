import { describe, expect, it } from 'vitest';
import { guessCsvColumns, labelsFromCsv, parseCsv, suggestFoldToSplit } from './csv';

/** The first 40 rows of images.csv from github.com/alexeygrigorev/clothing-dataset (CC0), verbatim. */
const CLOTHING_CSV = `image,sender_id,label,kids
4285fab0-751a-4b74-8e9b-43af05deee22,124,Not sure,False
ea7b6656-3f84-4eb3-9099-23e623fc1018,148,T-Shirt,False
00627a3f-0477-401c-95eb-92642cbe078d,94,Not sure,False
ea2ffd4d-9b25-4ca8-9dc2-bd27f1cc59fa,43,T-Shirt,False
3b86d877-2b9e-4c8b-a6a2-1d87513309d0,189,Shoes,False
5d3a1404-697f-479f-9090-c1ecd0413d27,138,Shorts,False
b0c03127-9dfb-4573-8934-1958396937bf,138,Shirt,False
4c8f245e-a039-46fd-a6b9-1bb51e83fc05,226,T-Shirt,False
c995c900-693d-4dd6-8995-43f3051ec488,337,Pants,False
bf78527f-0734-44fd-a968-f6c32c12d61e,175,Shoes,False
70045b01-b350-4918-be74-2f627290ad7a,95,Skirt,False
61bbb3a2-2ee0-47bd-b3f9-2675b3076302,293,Shoes,False
08215318-faff-4037-bee9-5bceb0af7747,29,Shoes,False
8659edca-30a6-4cd2-b2f0-8c9358f2a785,150,Other,False
95609fcf-b2c2-4f35-8454-a308262e30ea,185,T-Shirt,False
71c85a46-6bf9-4929-a141-386d07bbe139,216,Other,True
04b42565-23ce-47d9-8f11-e3f1fb0d5051,82,Top,False
5dcffea5-5111-4397-b9ed-313b41bdeea8,211,Shorts,False
1b2ace0a-382e-4b87-8e9d-35cbcfac636b,186,Outwear,False
d44cfac9-3fda-47ba-8eb1-8b130f60b08c,217,Skirt,False
97074b7f-706a-4c17-b875-bd9baa5bed0e,128,Pants,False
6ba8aeb1-a812-4bd7-a0b3-d898aebe3400,211,Top,False
e3c8e575-c5b8-4c4c-9f49-62b37b611b6b,174,Dress,False
534cb9e4-658e-48a9-a9d9-365149ee52e8,16,T-Shirt,False
e6a8b33f-279c-4072-8dba-229d94205e55,65,Dress,False
c327ee2e-ec85-4e50-8f8b-c0953fd0f394,268,Not sure,False
13aa07bd-cf38-4309-8dc2-daddffe43922,312,Body,True
5805e9ba-176c-461b-87f7-ff400291d0fc,142,Longsleeve,False
be698ba0-7a2c-4f38-84ea-6223dc15854d,82,T-Shirt,True
a3e5af58-cc70-48b8-85f7-cd160ba95968,294,Shoes,False
8f6822c3-862b-4126-9a35-585569aec240,14,Longsleeve,False
84a4a5a4-fb02-4009-916d-7e82d65c3e12,233,Pants,False
30feae84-c7b1-4e72-8b42-0f7736d42cd5,224,Shoes,False
f968404d-6c3a-465e-9edd-347784880455,33,T-Shirt,False
f8b84112-9110-4628-91e8-9d22a13767f3,148,Skirt,False
c395de85-824c-4cbe-ad6b-ed80f5c15fb7,329,T-Shirt,False
ede278ac-9b59-4d21-b456-ec35d9cc0300,252,Not sure,False
5dc34a85-d7f8-45bc-b922-2eae1a704f4b,113,Shorts,False
4acdd295-b0b4-4991-a6cd-c9d2c322c347,190,T-Shirt,False
7e72662d-d284-4e75-800e-051cf95f4750,270,Skip,False
`;

const MISSING_ID = '00000000-dead-beef-0000-000000000000';
/** The real rows plus one naming a file that is not in the folder (a common export mistake). */
const CSV_TEXT = `${CLOTHING_CSV}${MISSING_ID},1,Dress,False\n`;
const table = parseCsv(CSV_TEXT);
const ids = table.rows.slice(0, 40).map((r) => r[0]);
/** The folder: one JPEG per real row, plus one image no row mentions. */
const imagePaths = [...ids.map((id) => `images/${id}.jpg`), 'images/stray-photo.JPG'];

describe('parseCsv', () => {
  it('handles BOM, quotes, CRLF, blank lines, ragged rows and odd headers', () => {
    const t = parseCsv(
      '\ufeff file , label ,,label\r\n"a, b.jpg"," cat "\r\n\r\n  ,  \r\nc.png,"say ""hi""",x,y,extra\r\n',
    );
    expect(t.columns).toEqual(['file', 'label', 'column 3', 'label (2)']);
    expect(t.rows).toEqual([
      ['a, b.jpg', 'cat', '', ''],
      ['c.png', 'say "hi"', 'x', 'y'],
    ]);
    expect(parseCsv('')).toEqual({ columns: [], rows: [] });
  });
  it('reads the real clothing CSV', () => {
    expect(table.columns).toEqual(['image', 'sender_id', 'label', 'kids']);
    expect(table.rows).toHaveLength(41);
    expect(table.rows[0]).toEqual([
      '4285fab0-751a-4b74-8e9b-43af05deee22',
      '124',
      'Not sure',
      'False',
    ]);
  });
});

describe('guessCsvColumns', () => {
  it('finds image and label, and no fold, in the real CSV', () => {
    expect(guessCsvColumns(table, imagePaths)).toEqual({
      file: 'image',
      label: 'label',
      fold: null,
    });
  });
  it('finds the fold column by name and by small-integer values', () => {
    const withFold = parseCsv(
      CSV_TEXT.split('\n')
        .map((l, i) => (l === '' ? l : `${l},${i === 0 ? 'fold' : (i - 1) % 5}`))
        .join('\n'),
    );
    expect(guessCsvColumns(withFold, imagePaths)).toEqual({
      file: 'image',
      label: 'label',
      fold: 'fold',
    });
    const anon = parseCsv(
      'pic,what,k\na.jpg,cat,0\nb.jpg,dog,1\nc.jpg,cat,2\nd.jpg,dog,3\ne.jpg,cat,0\nf.jpg,dog,1\ng.jpg,cat,2\nh.jpg,dog,3\n',
    );
    expect(guessCsvColumns(anon, ['a.jpg', 'b.jpg', 'c.jpg'])).toEqual({
      file: 'pic',
      label: 'what',
      fold: 'k',
    });
  });
  it('prefers a string column over booleans without name hints, and guesses files by extension', () => {
    const t = parseCsv(
      'a,b,c,d\nx1.png,True,red,10\nx2.png,False,blue,11\nx3.png,True,red,12\nx4.png,False,red,13\n',
    );
    expect(guessCsvColumns(t, [])).toEqual({ file: 'a', label: 'c', fold: null });
    const s = parseCsv('name,subset,kind\np.jpg,train,a\nq.jpg,valid,b\nr.jpg,test,a\n');
    expect(guessCsvColumns(s, ['p.jpg'])).toEqual({ file: 'name', label: 'kind', fold: 'subset' });
  });
});

describe('labelsFromCsv', () => {
  it('labels the real messy CSV: ids without extension, a missing file, an image without a row', () => {
    const r = labelsFromCsv(table, { fileColumn: 'image', labelColumn: 'label' }, imagePaths);
    expect(r.labels.slice(0, 3)).toEqual(['Not sure', 'T-Shirt', 'Not sure']);
    expect(r.labels[40]).toBeNull();
    expect(r.imagesWithoutRow).toEqual([40]);
    expect(r.missingFiles).toEqual([{ row: 40, file: MISSING_ID }]);
    expect(r.labelCounts).toEqual({
      'Not sure': 4,
      'T-Shirt': 9,
      Shoes: 6,
      Shorts: 3,
      Shirt: 1,
      Pants: 3,
      Skirt: 3,
      Other: 2,
      Top: 2,
      Outwear: 1,
      Dress: 3,
      Body: 1,
      Longsleeve: 2,
      Skip: 1,
    });
    expect(r.classes).toEqual([
      'Body',
      'Dress',
      'Longsleeve',
      'Not sure',
      'Other',
      'Outwear',
      'Pants',
      'Shirt',
      'Shoes',
      'Shorts',
      'Skip',
      'Skirt',
      'T-Shirt',
      'Top',
    ]);
    expect(r.splits.every((s) => s === null)).toBe(true);
    expect(r.excludedRows).toBe(0);
  });

  it('excludes "Not sure", "Skip" and "Other" and keeps counting them', () => {
    const r = labelsFromCsv(
      table,
      { fileColumn: 'image', labelColumn: 'label', excludeLabels: ['Not sure', 'Skip', 'Other'] },
      imagePaths,
    );
    expect(r.excludedRows).toBe(7);
    expect(r.classes).not.toContain('Not sure');
    expect(r.classes).not.toContain('Skip');
    expect(r.classes).toHaveLength(11);
    expect(r.labels.filter((l) => l !== null)).toHaveLength(40 - 7);
    expect(r.labels[0]).toBeNull();
    expect(r.imagesWithoutRow).toEqual([40]);
    expect(r.labelCounts['Not sure']).toBe(4);
  });

  it('maps a fold column (0..4) to splits, by default and explicitly', () => {
    const lines = CSV_TEXT.trimEnd().split('\n');
    const withFold = parseCsv(
      lines.map((l, i) => `${l},${i === 0 ? 'fold' : (i - 1) % 5}`).join('\n'),
    );
    const r = labelsFromCsv(
      withFold,
      { fileColumn: 'image', labelColumn: 'label', foldColumn: 'fold' },
      imagePaths,
    );
    expect(r.foldToSplit).toEqual({ 0: 'train', 1: 'train', 2: 'train', 3: 'val', 4: 'test' });
    expect(r.splits.slice(0, 6)).toEqual(['train', 'train', 'train', 'val', 'test', 'train']);
    expect(r.splits[40]).toBeNull();
    const e = labelsFromCsv(
      withFold,
      {
        fileColumn: 'image',
        labelColumn: 'label',
        foldColumn: 'fold',
        foldToSplit: { 0: 'test', 1: 'exclude', 2: 'train', 3: 'train', 4: 'val' },
      },
      imagePaths,
    );
    expect(e.excludedRows).toBe(8);
    expect(e.labels[1]).toBeNull();
    expect(e.splits[0]).toBe('test');
    expect(e.splits[4]).toBe('val');
  });

  it('matches by relative path, base name, extension or not, any case; first duplicate row wins', () => {
    const t = parseCsv(
      'file,label\nA/X.PNG,one\nb/y,two\nz.jpg,three\n./a/x.png,dup\nq.weird.001,four\nfolder\\w.jpg,five\nnope.jpg,\n',
    );
    const paths = ['a/x.png', 'b/y.jpeg', 'c/Z.JPG', 'd/q.weird.001.png', 'e/w.jpg'];
    const r = labelsFromCsv(t, { fileColumn: 'file', labelColumn: 'label' }, paths);
    expect(r.labels).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(r.duplicateRows).toBe(1);
    expect(r.missingFiles).toEqual([{ row: 6, file: 'nope.jpg' }]);
    expect(() => labelsFromCsv(t, { fileColumn: 'nope', labelColumn: 'label' }, paths)).toThrow(
      /no column "nope".*file, label/,
    );
  });

  it('suggests fold mappings', () => {
    expect(suggestFoldToSplit(['train', 'Valid', 'TEST', 'train'])).toEqual({
      train: 'train',
      Valid: 'val',
      TEST: 'test',
    });
    expect(suggestFoldToSplit(['1', '2'])).toEqual({ 1: 'train', 2: 'test' });
    expect(suggestFoldToSplit(['a'])).toEqual({ a: 'train' });
  });
});
