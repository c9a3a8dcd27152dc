// Where the team syncs the portal's uploads: for a customer who says "已上传" without a link.

import type { MailAttachment } from '../core/types';

export interface UploadDrop {
  /** Uploads whose file or folder name holds one of `keys` (case id, upload account), newest first. */
  find(keys: string[]): Promise<MailAttachment[]>;
}
