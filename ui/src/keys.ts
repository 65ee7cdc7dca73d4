// The key model as the window shows it: long hashes grouped for reading aloud, and the one
// confirmation before a key rotation.
//
// Contract: the core decides who may rotate which key and does it; this only explains the step
// to the person first (from `SessionInfo.ops`, like every button) and reports the core's answer.

import { ElMessage, ElMessageBox } from 'element-plus'
import * as api from './api'
import type { VaultKey } from './bindings/VaultKey'
import { showError } from './errors'
import { can } from './session'

/** `hex` in groups of four, `perLine` groups to a line (as the printed slip shows it). */
export function grouped(hex: string, perLine = 8): string[] {
  const groups = hex.match(/.{1,4}/g) ?? []
  const lines: string[] = []
  for (let i = 0; i < groups.length; i += perLine) lines.push(groups.slice(i, i + perLine).join(' '))
  return lines
}

const KEY_LABELS: Record<VaultKey, string> = { system: '系统密钥', registers: '登记簿密钥' }

/** Whether this account has a key to rotate (系统管理员: system, 保密员: registers). */
export function canRotate(): boolean {
  return can('manage_accounts') || can('write_registers')
}

/** Explains the rotation, asks for confirmation, rotates, and reports the keys rotated. */
export async function rotateKeys(): Promise<VaultKey[] | null> {
  const which = can('manage_accounts') ? '系统密钥（保护账户、安全策略和审计日志）' : '登记簿密钥（保护全部台账记录）'
  try {
    await ElMessageBox.confirm(
      `将生成新的${which}，重新加密数据库，并授予每个有权持有它的账户。之后，任何旧的密钥文件副本连同其中的旧口令都不能再打开保密库。各账户的口令不变，无需重新登录。此操作记入审计日志。`,
      '轮换密钥',
      { confirmButtonText: '轮换', cancelButtonText: '取消', type: 'warning' },
    )
  } catch {
    return null
  }
  try {
    const keys = await api.rotateKeys()
    ElMessage({
      type: 'success',
      message: `已轮换${keys.map((k) => KEY_LABELS[k]).join('和')}：旧的密钥文件副本不再能打开保密库`,
      showClose: true,
      duration: 6000,
    })
    return keys
  } catch (e) {
    showError(e)
    return null
  }
}
