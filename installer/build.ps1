<#
.SYNOPSIS
    Build 兜底 Desk for Windows: the PyInstaller one-folder program and the NSIS installer.

.DESCRIPTION
    Run from any folder on a 64-bit Windows 10 (1809 or later) / 11 PC or CI runner with
      * Python 3.11 64-bit (python.org installer; "py -3.11" or -Python C:\path\python.exe)
      * NSIS 3 (makensis on PATH, or installed in "C:\Program Files (x86)\NSIS")
    Steps: a build virtual environment .venv-build with the program and PyInstaller (pyproject's
    "build" extra), PyInstaller with installer\doudi_desk.spec into dist\doudi-desk, that folder's own
    "doudi-desk.exe --self-test", then makensis into dist\doudi-desk-<version>-setup.exe.

    With -Test the installer is also tried on this PC, silently, for the current user: installed into a
    folder with a Chinese name (its last step runs the self-test), checked (shortcuts, uninstall entry
    in HKCU), installed again over itself with data in the database (the data stays), uninstalled (the
    data folder stays). For a build machine or CI, not for an office PC in use.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File installer\build.ps1
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File installer\build.ps1 -Python C:\Python311\python.exe -Test
#>
# Saved as UTF-8 with a BOM: Windows PowerShell 5.1 reads a script without one in the ANSI code page.
[CmdletBinding()]
param(
    [string]$Python = "",
    [switch]$Test
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

function Invoke-Native {
    # Run a console program; stop the build when it fails (PowerShell 5.1 does not on its own).
    param([Parameter(Mandatory)][string]$FilePath, [string[]]$Arguments = @())
    Write-Host "> $FilePath $($Arguments -join ' ')"
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$FilePath failed with exit code $LASTEXITCODE" }
}

function Invoke-Gui {
    # Start a windowed program (or an installer) and wait for it; returns its exit code.
    param([Parameter(Mandatory)][string]$FilePath, [string[]]$Arguments = @())
    Write-Host "> $FilePath $($Arguments -join ' ')"
    if ($Arguments.Count -gt 0) {
        $process = Start-Process -FilePath $FilePath -ArgumentList $Arguments -Wait -PassThru
    } else {
        $process = Start-Process -FilePath $FilePath -Wait -PassThru
    }
    return $process.ExitCode
}

function Show-Log {
    $log = Join-Path $env:LOCALAPPDATA "doudi_desk\Logs\doudi_desk.log"
    if (Test-Path $log) { Write-Host "--- $log (last lines)"; Get-Content $log -Tail 60 -Encoding UTF8 }
}

# --- 1. the build environment ------------------------------------------------------------------------
if (-not $Python) {
    if (Get-Command py -ErrorAction SilentlyContinue) { $Base = @("py", "-3.11") } else { $Base = @("python") }
} else {
    $Base = @($Python)
}
$BaseArgs = @()
if ($Base.Count -gt 1) { $BaseArgs = $Base[1..($Base.Count - 1)] }
if (-not (Test-Path ".venv-build\Scripts\python.exe")) {
    Invoke-Native $Base[0] ($BaseArgs + @("-m", "venv", ".venv-build"))
}
$Py = Join-Path $Root ".venv-build\Scripts\python.exe"
Invoke-Native $Py @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
Invoke-Native $Py @("-m", "pip", "install", "--quiet", "-e", ".[build]")
$Version = (& $Py -c "import doudi_desk; print(doudi_desk.__version__)").Trim()
$Bits = (& $Py -c "import struct; print(struct.calcsize('P') * 8)").Trim()
if ($Bits -ne "64") { throw "Python must be 64-bit (this one is $Bits-bit)" }
Write-Host "兜底 Desk $Version"

# --- 2. the one-folder program ----------------------------------------------------------------------
$started = Get-Date
Invoke-Native $Py @("-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", "dist", "--workpath", "build\pyinstaller",
                    "installer\doudi_desk.spec")
$Program = Join-Path $Root "dist\doudi-desk"
$size = [math]::Round(((Get-ChildItem $Program -Recurse -File | Measure-Object Length -Sum).Sum) / 1MB)
Write-Host ("Program folder: {0} MB, built in {1:N0} s" -f $size, ((Get-Date) - $started).TotalSeconds)

$started = Get-Date
$code = Invoke-Gui (Join-Path $Program "doudi-desk.exe") @("--self-test")
if ($code -ne 0) { Show-Log; throw "dist\doudi-desk\doudi-desk.exe --self-test failed ($code)" }
Write-Host ("Self-test of the folder passed in {0:N1} s" -f ((Get-Date) - $started).TotalSeconds)

# --- 3. the installer ---------------------------------------------------------------------------------
$MakeNsis = Get-Command makensis -ErrorAction SilentlyContinue
if ($MakeNsis) { $MakeNsis = $MakeNsis.Source } else { $MakeNsis = Join-Path ${env:ProgramFiles(x86)} "NSIS\makensis.exe" }
if (-not (Test-Path $MakeNsis)) { throw "NSIS 3 (makensis.exe) not found: install it from nsis.sourceforge.io or 'choco install nsis'" }
$Setup = Join-Path $Root "dist\doudi-desk-$Version-setup.exe"
# The version must be numbers only (VIProductVersion); options come before the script.
Invoke-Native $MakeNsis @("/WX", "/INPUTCHARSET", "UTF8", "/DVERSION=$Version", "/DSOURCE_DIR=$Program",
                          "/DOUTFILE=$Setup", "installer\doudi_desk.nsi")
Write-Host "Installer: $Setup"

if (-not $Test) { return }

# --- 4. trying the installer on this PC (build machines and CI only) ----------------------------------
$Target = Join-Path $env:TEMP "兜底 测试\doudi-desk"  # a Chinese folder name with a space
$Data = Join-Path $env:LOCALAPPDATA "doudi_desk"
# /D= must come last and unquoted, even with spaces.
$code = Invoke-Gui $Setup @("/S", "/CurrentUser", "/D=$Target")
if ($code -ne 0) { Show-Log; throw "the installer failed ($code): its self-test or an install step" }
foreach ($file in @("doudi-desk.exe", "doudi-admin.exe", "uninstall.exe", "_internal\workflows\dibao.yaml",
                    "_internal\doudi_desk\storage\alembic.ini")) {
    if (-not (Test-Path (Join-Path $Target $file))) { throw "not installed: $file" }
}
$StartMenu = [Environment]::GetFolderPath("Programs")
$Desktop = [Environment]::GetFolderPath("Desktop")
foreach ($link in @((Join-Path $StartMenu "兜底 Desk.lnk"), (Join-Path $Desktop "兜底 Desk.lnk"))) {
    if (-not (Test-Path $link)) { throw "no shortcut $link" }
}
$Key = "HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall\doudi_desk"
$entry = Get-ItemProperty $Key
if ($entry.DisplayName -ne "兜底 Desk" -or $entry.DisplayVersion -ne $Version) { throw "uninstall entry wrong: $($entry | Out-String)" }

# Data in the user's database, then the installer again over the installed program: the data stays.
$Admin = Join-Path $Target "doudi-admin.exe"
Invoke-Native $Admin @("demo")
$before = (& $Admin case list | Measure-Object -Line).Lines
$code = Invoke-Gui $Setup @("/S", "/CurrentUser", "/D=$Target")
if ($code -ne 0) { Show-Log; throw "installing over the installed program failed ($code)" }
$after = (& $Admin case list | Measure-Object -Line).Lines
if ($before -lt 10 -or $after -ne $before) { throw "the cases did not survive the reinstall ($before, then $after)" }
Invoke-Native $Admin @("audit", "verify")  # the audit chain of the kept database is intact

# Uninstall: the program, shortcuts and entry go; the data folder stays.
$code = Invoke-Gui (Join-Path $Target "uninstall.exe") @("/CurrentUser", "/S", "_?=$Target")
if ($code -ne 0) { throw "the uninstaller failed ($code)" }
if (Test-Path (Join-Path $Target "doudi-desk.exe")) { throw "the uninstaller left the program" }
if (Test-Path (Join-Path $StartMenu "兜底 Desk.lnk")) { throw "the uninstaller left the Start-menu shortcut" }
if (Test-Path $Key) { throw "the uninstaller left its entry in HKCU" }
if (-not (Test-Path (Join-Path $Data "doudi_desk.sqlite3"))) { throw "the uninstaller removed the data folder" }
Remove-Item -Recurse -Force (Split-Path -Parent $Target)  # _?= leaves uninstall.exe behind
Write-Host "Installer test passed: installed with its self-test, reinstalled keeping the data, uninstalled keeping $Data"
