; 兜底 Desk — Windows installer (NSIS 3, Unicode).
;
; Installs the PyInstaller one-folder build (dist\doudi-desk: doudi-desk.exe, doudi-admin.exe, _internal\)
; for the current user by default, without administrator rights, into %LOCALAPPDATA%\Programs\doudi-desk;
; for all users of the PC (Program Files) when run by an administrator who chooses so, or with /AllUsers.
; Start-menu and desktop shortcuts "兜底 Desk". The uninstaller is registered in Apps & features (HKCU for a
; per-user install) and never deletes the data folder %LOCALAPPDATA%\doudi_desk (database, backups, logs).
; The last step runs "doudi-desk.exe --self-test" from the installed program; if it fails, the
; installation is reported as failed (message box; a non-zero exit code in silent mode).
;
; Build (installer\build.ps1 does it):
;   makensis -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DSOURCE_DIR=..\dist\doudi-desk -DOUTFILE=..\dist\doudi-desk-0.1.0-setup.exe installer\doudi_desk.nsi
; Silent: doudi-desk-setup.exe /S [/AllUsers] [/D=C:\path]   Uninstall silently: uninstall.exe /S

Unicode true
SetCompressor /SOLID lzma
ManifestDPIAware true

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef SOURCE_DIR
  !error "SOURCE_DIR must point to the PyInstaller folder (dist\doudi-desk)"
!endif
!ifndef OUTFILE
  !define OUTFILE "doudi-desk-${VERSION}-setup.exe"
!endif

!define APP_NAME "兜底 Desk"
!define APP_ID "doudi_desk"
!define EXE "doudi-desk.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define APP_KEY "Software\${APP_ID}"
!define MIN_BUILD 17763 ; Windows 10 1809: the oldest Windows Qt 6 runs on

Name "${APP_NAME}"
OutFile "${OUTFILE}"
BrandingText "${APP_NAME} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${APP_NAME}"

; --- per user by default, per machine as an option (MultiUser.nsh) -------------------------------------
!define MULTIUSER_EXECUTIONLEVEL Highest           ; a clerk: no UAC prompt, installs for herself
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE          ; /AllUsers or /CurrentUser
!define MULTIUSER_INSTALLMODE_DEFAULT_CURRENTUSER
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "doudi-desk"  ; ASCII: %LOCALAPPDATA%\Programs\doudi-desk or Program Files\doudi-desk
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${APP_KEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${APP_KEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallDir"
!define MULTIUSER_INIT_TEXT_ADMINREQUIRED "安装${APP_NAME}需要管理员权限。"
!define MULTIUSER_INIT_TEXT_POWERREQUIRED "安装${APP_NAME}需要管理员权限。"
!define MULTIUSER_INIT_TEXT_ALLUSERSNOTPOSSIBLE "当前用户没有管理员权限，不能为本机所有用户安装${APP_NAME}。请不加 /AllUsers 运行（只为自己安装），或请管理员安装。"
!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include WinVer.nsh
!include x64.nsh

!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "启动${APP_NAME}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE             ; shown to administrators only
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Var SelfTestCode

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "${APP_NAME}只能安装在 64 位 Windows 上。" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  ${IfNot} ${AtLeastWin10}
  ${OrIfNot} ${AtLeastBuild} ${MIN_BUILD}
    MessageBox MB_OK|MB_ICONSTOP "${APP_NAME}需要 Windows 10 1809（内部版本 ${MIN_BUILD}）或更新的 Windows（Qt 6 的要求）。" /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  SetRegView 64
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

; The data folder is the user's, never the program's: refuse to install into it.
Function .onVerifyInstDir
  ${If} $INSTDIR == "$LOCALAPPDATA\${APP_ID}"
  ${OrIf} $INSTDIR == "$LOCALAPPDATA\${APP_ID}\"
    Abort
  ${EndIf}
FunctionEnd

; A running copy holds its files open: ask to close it (an upgrade cannot replace them otherwise).
; Windows lets a running .exe be renamed but not opened for writing, so that is the test.
Function CloseRunningProgram
  ${DoWhile} ${FileExists} "$INSTDIR\${EXE}"
    ClearErrors
    FileOpen $0 "$INSTDIR\${EXE}" a
    ${IfNot} ${Errors}
      FileClose $0
      ${Break}
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${APP_NAME}正在运行。请先关闭它（包括其他用户打开的），然后点「重试」。" /SD IDCANCEL IDRETRY +3
    SetErrorLevel 2
    Abort "${APP_NAME}正在运行，安装已取消。"
  ${Loop}
FunctionEnd

Section "${APP_NAME}" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  Call CloseRunningProgram
  ; An upgrade replaces the program folder whole: files a newer version no longer has (an old
  ; migration script, a removed library) must not linger. The data folder is elsewhere and untouched.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\doudi-admin.exe"
  File /r "${SOURCE_DIR}\*"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr SHCTX "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${APP_KEY}" "Version" "${VERSION}"
  WriteRegStr SHCTX "${APP_KEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "${APP_NAME}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "EstimatedSize" "$0"

  ; MultiUser set the shell context: the user's own Start menu and desktop, or everyone's.
  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "${APP_NAME}：社会救助案件办理"
  CreateShortCut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0 SW_SHOWNORMAL "" "${APP_NAME}：社会救助案件办理"
SectionEnd

; The last step: the installed program checks itself (a temporary demo database, a case moved one
; step, a document printed and previewed). A failure stops here, loudly.
Section "-self-test" SecSelfTest
  DetailPrint "正在自检：$INSTDIR\${EXE} --self-test …"
  ClearErrors
  ExecWait '"$INSTDIR\${EXE}" --self-test' $SelfTestCode
  ${If} ${Errors}
  ${OrIf} $SelfTestCode != 0
    DetailPrint "自检失败（返回值 $SelfTestCode）。日志：$LOCALAPPDATA\${APP_ID}\Logs\doudi_desk.log"
    MessageBox MB_OK|MB_ICONSTOP "${APP_NAME}已复制到 $INSTDIR，但自检失败（返回值 $SelfTestCode），程序可能无法正常使用。$\r$\n$\r$\n请把日志文件 $LOCALAPPDATA\${APP_ID}\Logs\doudi_desk.log 发给技术支持。您的数据（$LOCALAPPDATA\${APP_ID}）没有改动。" /SD IDOK
    SetErrorLevel 3
    Abort "自检失败：安装没有完成。"
  ${EndIf}
  DetailPrint "自检通过。"
SectionEnd

; Removes the program, its shortcuts and registry entries. Never the data folder
; %LOCALAPPDATA%\doudi_desk: the database, its backups and the logs stay for the next installation.
Section "Uninstall"
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\doudi-admin.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR" ; only if empty: never a folder with someone else's files
  DeleteRegKey SHCTX "${UNINSTALL_KEY}"
  DeleteRegKey SHCTX "${APP_KEY}"
  DetailPrint "数据文件夹 $LOCALAPPDATA\${APP_ID} 已保留（数据库、备份和日志）。"
SectionEnd
